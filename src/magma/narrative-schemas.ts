// Wire readers for the per-narrative public reads (PROTOCOL.md section 9): the narrative (flat or wrapped as
// {narrative}), its oracle result, and its backers. Every field but the id and a status is optional and read leniently
// (the public texts list more fields than any one answer carries); what cannot be used is null, never guessed.
import { MAX_SOL, solToLamports } from '../core/money.js';
import type { NarrativeBacker, NarrativeDetail, OracleResult, OracleSource } from '../ports/magma-api.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown, max = 256): string | null => (typeof v === 'string' && v.length > 0 ? v.slice(0, max) : null);
function num(v: unknown): number | null {
  const n = typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}
/** A confidence may come as 0–1 or as a percentage (0–100, or a string such as "87%"): all read as 0–1. */
function confidence(v: unknown): number | null {
  const percent = typeof v === 'string' && /^\s*\d+(\.\d+)?\s*%\s*$/.test(v) ? Number(v.replace('%', '')) : null;
  if (percent !== null) return percent <= 100 ? percent / 100 : null;
  const n = num(v);
  if (n === null || n < 0) return null;
  if (n <= 1) return n;
  return n <= 100 ? n / 100 : null;
}
/** A verdict written as TRUE/FALSE, true/false, resolved_true/resolved_false or a boolean; else null. */
function verdict(v: unknown): 'TRUE' | 'FALSE' | null {
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  const s = typeof v === 'string' ? v.trim().toUpperCase().replace(/^RESOLVED_/, '') : null;
  return s === 'TRUE' || s === 'FALSE' ? s : null;
}
/**
 * The oracle's sources in the shapes the public texts show: `[{name, weight, value}]`, a list of names
 * (`sources_used: ["coingecko", …]`), or a map of name to weight; null when there is no list.
 */
function sourceList(v: unknown): OracleSource[] | null {
  if (isObj(v)) v = Object.entries(v).map(([name, weight]) => ({ name, weight }));
  if (!Array.isArray(v)) return null;
  const out: OracleSource[] = [];
  for (const s of v.slice(0, 50)) {
    const name = typeof s === 'string' ? str(s, 128) : isObj(s) ? str(s.name, 128) ?? str(s.source, 128) : null;
    if (!name) continue;
    const value = isObj(s) ? s.value : undefined;
    out.push({ name, weight: isObj(s) ? num(s.weight) : null, value: typeof value === 'string' ? value.slice(0, 256) : value ?? null });
  }
  return out;
}
/** A time as ISO text, or as epoch seconds or milliseconds (read as ISO); null otherwise. */
function time(v: unknown): string | null {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return str(v, 64);
  const d = new Date(v < 1e12 ? v * 1000 : v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
function lamports(v: unknown): bigint | null {
  const n = num(v);
  return n === null || n < 0 || n > MAX_SOL ? null : solToLamports(n);
}

/** The narrative of a `GET /v1/narratives/:id` answer, or null when it has no id or no status. */
export function parseNarrativeDetail(body: unknown): NarrativeDetail | null {
  const n = isObj(body) && isObj(body.narrative) ? body.narrative : body;
  if (!isObj(n)) return null;
  const id = str(n.id, 128);
  const listed = str(n.oracle_status, 64) ?? str(n.status, 64);
  // `status: "resolved"` (the list's filter word) without an oracle_status: its `resolution` says which way
  const resolution = listed === 'resolved' ? verdict(n.resolution) : null;
  const status = resolution ? `resolved_${resolution.toLowerCase()}` : listed === 'refunded' ? 'refund' : listed;
  if (!id || !status) return null;
  const count = num(n.backer_count);
  return {
    id, status,
    isFinal: typeof n.is_final === 'boolean' ? n.is_final : null,
    challengeWindowClosesAt: time(n.challenge_window_closes_at),
    resolvedAt: time(n.resolved_at),
    deadlineAt: time(n.deadline_at),
    resolutionDate: time(n.resolution_date),
    confidence: confidence(n.confidence),
    sourcesUsed: sourceList(n.sources_used),
    truePoolUsd: num(n.true_pool_usd),
    falsePoolUsd: num(n.false_pool_usd),
    totalBackedLamports: lamports(n.total_backed_sol),
    backerCount: count !== null && Number.isInteger(count) && count >= 0 ? count : null,
  };
}

/** A `GET /v1/oracle/:narrativeId` answer, or null when it carries no TRUE/FALSE result. */
export function parseOracleResult(body: unknown, narrativeId: string): OracleResult | null {
  const o = isObj(body) && isObj(body.oracle_result) ? body.oracle_result : body;
  if (!isObj(o)) return null;
  const raw = verdict(o.result ?? o.resolution);
  if (raw === null) return null;
  const sources = sourceList(o.sources ?? o.sources_used) ?? [];
  return { narrativeId: str(o.narrative_id, 128) ?? narrativeId, result: raw, confidence: confidence(o.confidence), sources, resolvedAt: time(o.resolved_at) };
}

/** The backers of a `GET /v1/narratives/:id/backers` answer (items without a wallet or an amount are left out). */
export function parseBackers(body: unknown): NarrativeBacker[] | null {
  const list = isObj(body) ? body.backers ?? body.data : Array.isArray(body) ? body : undefined;
  if (!Array.isArray(list)) return null;
  const out: NarrativeBacker[] = [];
  for (const b of list) {
    if (!isObj(b)) continue;
    const walletAddress = str(b.wallet_address, 64);
    const amount = lamports(b.amount_sol);
    if (!walletAddress || amount === null) continue;
    out.push({ walletAddress, amountLamports: amount, txSignature: str(b.tx_signature, 128), createdAt: str(b.created_at, 64) });
  }
  return out;
}

/** A page of `GET /v1/narratives` ({data, total} or, in the agents doc, {narratives}); null without a list. */
export function parseNarrativePage(body: unknown): { items: NarrativeDetail[]; total: number | null } | null {
  const list = isObj(body) ? body.data ?? body.narratives : Array.isArray(body) ? body : undefined;
  if (!Array.isArray(list)) return null;
  const items = list.slice(0, 500).flatMap((item) => parseNarrativeDetail(item) ?? []);
  const total = isObj(body) ? num(body.total) : null;
  return { items, total };
}
