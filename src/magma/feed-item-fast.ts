// The common case of a feed item, read without the schema machinery: a plain object whose fields are already what
// feedItemSchema would make of them. It gives exactly what the schema would, or null, and then the schema decides
// (and says why an item is refused). A backtest reads millions of items, and this is most of the reading.
import { solToLamports } from '../core/money.js';
import type { Narrative } from '../core/narrative.js';

const MAX_TEXT = 4_000;
const MAX_COUNT = 1e9;

const optionalText = (v: unknown, fallback: string): string | null =>
  v === null || v === undefined ? fallback : typeof v === 'string' && v.length <= MAX_TEXT ? v : null;

const optionalCount = (v: unknown): number | null =>
  v === null || v === undefined ? 0 : typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_COUNT ? v : null;

/** `maxSol`: the schema's bound on total_backed_sol. */
export function fastFeedItem(raw: unknown, maxSol: number): Narrative | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const proto = Object.getPrototypeOf(raw) as unknown;
  if (proto !== Object.prototype && proto !== null) return null;
  const r = raw as Record<string, unknown>;
  const id = r.id;
  if (typeof id !== 'string' || id.length === 0 || id.length > 128 || id.trim() !== id) return null;
  const title = optionalText(r.title, '');
  const thesis = optionalText(r.thesis, '');
  const category = optionalText(r.category, 'UNCATEGORISED');
  if (title === null || thesis === null || category === null) return null;
  const status = r.oracle_status;
  if (typeof status !== 'string' || status.length === 0 || status.length > 64) return null;
  const sol = r.total_backed_sol === null || r.total_backed_sol === undefined ? 0 : r.total_backed_sol;
  if (typeof sol !== 'number' || !Number.isFinite(sol) || sol < 0 || sol > maxSol) return null;
  const backers = optionalCount(r.backer_count);
  const challengers = optionalCount(r.challenge_count);
  if (backers === null || challengers === null) return null;
  const created = r.created_at;
  if (created !== undefined && (typeof created !== 'string' || created.length > 64)) return null;
  return {
    id, title, thesis, category, oracleStatus: status, totalBackedLamports: solToLamports(sol), backerCount: backers, challengeCount: challengers,
    createdAt: created ?? '',
  };
}
