// Reads recordings (INTERFACE.md "Recordings"): JSON Lines, one poll a line {"t", "narratives": [...]}, optional
// price lines {"t", "prices": {"SOL": 231.4}}, and outcome files {"narrative_id", "outcome", "resolved_at"}. A line
// that is not usable is counted and skipped, never fatal: recordings come from the field.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { MagmaError } from '../core/errors.js';
import type { PricePoint } from '../ports/price-source.js';
import type { Outcome } from '../ports/store.js';

export interface RecordedPoll {
  t: number;
  narratives: unknown[];
}

export interface RecordingStats {
  polls: number;
  priceLines: number;
  badLines: number;
  firstT: number | null;
  lastT: number | null;
}

export function requireFile(path: string, what: string): number {
  if (!existsSync(path)) throw new MagmaError('USAGE', `no ${what} at ${path}.`, { hint: `Give an existing file; \`magma-agent export\` or \`magma-agent sim --record\` makes one.` });
  return statSync(path).size;
}

/** Streams the recording: polls go to onPoll in file order; price points go to onPrice before the next poll. */
export async function readRecording(
  path: string,
  onPoll: (poll: RecordedPoll, bytesRead: number) => Promise<void>,
  onPrice: (asset: string, point: PricePoint) => void,
): Promise<RecordingStats> {
  const stats: RecordingStats = { polls: 0, priceLines: 0, badLines: 0, firstT: null, lastT: null };
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let bytes = 0;
  for await (const line of lines) {
    bytes += Buffer.byteLength(line) + 1;
    if (!line.trim()) continue;
    let value: { t?: unknown; narratives?: unknown; prices?: unknown };
    try {
      value = JSON.parse(line) as typeof value;
    } catch {
      stats.badLines++;
      continue;
    }
    // issue 12 (fuzz): a line of JSON that is not an object (null, a number) is unreadable, not a crash
    if (value === null || typeof value !== 'object') {
      stats.badLines++;
      continue;
    }
    const t = typeof value.t === 'string' ? Date.parse(value.t) : NaN;
    if (!Number.isFinite(t)) {
      stats.badLines++;
      continue;
    }
    if (value.prices && typeof value.prices === 'object') {
      for (const [asset, price] of Object.entries(value.prices as Record<string, unknown>)) {
        if (typeof price === 'number' && Number.isFinite(price) && price > 0) onPrice(asset.toUpperCase(), { t, price });
      }
      stats.priceLines++;
    }
    if (Array.isArray(value.narratives)) {
      if (stats.lastT !== null && t < stats.lastT) {
        stats.badLines++; // out of order: time never goes back in a backtest
        continue;
      }
      stats.firstT ??= t;
      stats.lastT = t;
      stats.polls++;
      await onPoll({ t, narratives: value.narratives }, bytes);
    }
  }
  return stats;
}

export interface RecordedOutcome {
  narrativeId: string;
  outcome: Outcome;
  resolvedAt: number | null;
}

export async function readOutcomes(path: string): Promise<{ outcomes: RecordedOutcome[]; badLines: number }> {
  const outcomes: RecordedOutcome[] = [];
  let badLines = 0;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as { narrative_id?: unknown; outcome?: unknown; resolved_at?: unknown };
      if (typeof v.narrative_id !== 'string' || (v.outcome !== 'true' && v.outcome !== 'false' && v.outcome !== 'refund')) throw new Error('shape');
      const at = typeof v.resolved_at === 'string' ? Date.parse(v.resolved_at) : NaN;
      outcomes.push({ narrativeId: v.narrative_id, outcome: v.outcome, resolvedAt: Number.isFinite(at) ? at : null });
    } catch {
      badLines++;
    }
  }
  return { outcomes, badLines };
}
