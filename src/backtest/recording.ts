// Reads recordings (INTERFACE.md "Recordings"): JSON Lines, one poll a line {"t", "narratives": [...]}, optional
// price lines {"t", "prices": {"SOL": 231.4}}, and outcome files {"narrative_id", "outcome", "resolved_at"}. A line
// that is not usable is counted and skipped, never fatal: recordings come from the field.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { MagmaError } from '../core/errors.js';
import type { PricePoint } from '../ports/price-source.js';
import type { Outcome } from '../ports/store.js';
import type { StoredMagusAnswer } from '../ports/magus.js';
import { MAX_LINE_BYTES, recordingLines } from './recording-lines.js';

export interface RecordedPoll {
  t: number;
  narratives: unknown[];
}

export interface RecordingStats {
  polls: number;
  priceLines: number;
  /** issue 17: recorded Magus answers ({"t", "magus": {...}}), replayed instead of calling Magus. */
  magusLines: number;
  /** Lines that are not JSON, have no usable time, or are neither a poll nor a price line. */
  badLines: number;
  /** Polls whose time goes back before an earlier poll's: skipped, since time never goes back in a backtest. */
  outOfOrder: number;
  /** Lines longer than any recording line could be (skipped unread). */
  tooLong: number;
  firstT: number | null;
  lastT: number | null;
}

export function requireFile(path: string, what: string): number {
  if (!existsSync(path)) throw new MagmaError('USAGE', `no ${what} at ${path}.`, { hint: `Give an existing file; \`magma-agent export\` or \`magma-agent sim --record\` makes one.` });
  const stat = statSync(path);
  // A pipe (`<(zcat rec.jsonl.gz)`) can be read once, and a backtest reads the file more than once (its span first,
  // then each run): the second read found it empty and blamed the recording.
  if (!stat.isFile()) {
    throw new MagmaError('USAGE', `the ${what} ${path} is ${stat.isDirectory() ? 'a directory' : 'not a regular file (a pipe or a device), and a backtest reads it more than once'}.`, {
      hint: 'Give a regular file; decompress a compressed one to a file first (e.g. `zcat rec.jsonl.gz > rec.jsonl`).',
    });
  }
  return stat.size;
}

export const emptyStats = (): RecordingStats => ({ polls: 0, priceLines: 0, magusLines: 0, badLines: 0, outOfOrder: 0, tooLong: 0, firstT: null, lastT: null });

export type RecordingLineValue =
  | { kind: 'poll'; t: number; narratives: unknown[]; prices: Array<[string, number]> }
  | { kind: 'magus'; t: number; answer: StoredMagusAnswer; prices: Array<[string, number]> }
  | { kind: 'prices'; t: number; prices: Array<[string, number]> }
  | { kind: 'skip' };

/**
 * Reads one line of a recording and counts it in `stats`: a poll (in time order), a price line, or a line to skip
 * (counted as bad, out of order or too long). A line may carry both prices and narratives.
 */
export function classifyLine(text: string | null, stats: RecordingStats): RecordingLineValue {
  if (text === null) {
    stats.tooLong++;
    return { kind: 'skip' };
  }
  if (!text.trim()) return { kind: 'skip' };
  let value: { t?: unknown; narratives?: unknown; prices?: unknown; magus?: unknown };
  try {
    value = JSON.parse(text) as typeof value;
  } catch {
    stats.badLines++;
    return { kind: 'skip' };
  }
  const t = typeof value?.t === 'string' ? Date.parse(value.t) : NaN;
  if (!Number.isFinite(t)) {
    stats.badLines++;
    return { kind: 'skip' };
  }
  const prices: Array<[string, number]> = [];
  if (value.prices && typeof value.prices === 'object') {
    for (const [asset, price] of Object.entries(value.prices as Record<string, unknown>)) {
      if (typeof price === 'number' && Number.isFinite(price) && price > 0) prices.push([asset.toUpperCase(), price]);
    }
    stats.priceLines++;
  }
  if (!Array.isArray(value.narratives)) {
    if (value.magus !== undefined) {
      const answer = magusAnswer(value.magus, t);
      if (answer) {
        stats.magusLines++;
        return { kind: 'magus', t, answer, prices };
      }
      stats.badLines++;
      return { kind: 'skip' };
    }
    if (prices.length || value.prices) return { kind: 'prices', t, prices };
    stats.badLines++;
    return { kind: 'skip' };
  }
  if (stats.lastT !== null && t < stats.lastT) {
    stats.outOfOrder++;
    return prices.length ? { kind: 'prices', t, prices } : { kind: 'skip' };
  }
  stats.firstT ??= t;
  stats.lastT = t;
  stats.polls++;
  return { kind: 'poll', t, narratives: value.narratives, prices };
}

/** A recorded Magus answer {narrative_id, version, p_true, confidence, verdict, reasoning}, or null when it is not one. */
function magusAnswer(v: unknown, t: number): StoredMagusAnswer | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  const unit = (x: unknown): x is number => typeof x === 'number' && x >= 0 && x <= 1;
  if (typeof o.narrative_id !== 'string' || typeof o.version !== 'string' || !unit(o.p_true) || !unit(o.confidence)) return null;
  if (o.verdict !== 'true' && o.verdict !== 'false' && o.verdict !== 'unsure') return null;
  return {
    narrativeId: o.narrative_id, version: o.version, askedAt: new Date(t).toISOString(), pTrue: o.p_true, confidence: o.confidence, verdict: o.verdict,
    reasoning: typeof o.reasoning === 'string' ? o.reasoning.slice(0, 1000) : '', credits: 0,
  };
}

/** Streams the recording in this thread: polls go to onPoll in file order; price points go to onPrice before the next poll. */
export async function readRecording(
  path: string,
  onPoll: (poll: RecordedPoll, bytesRead: number) => Promise<void>,
  onPrice: (asset: string, point: PricePoint) => void,
): Promise<RecordingStats> {
  const stats = emptyStats();
  for (const line of recordingLines(path)) {
    const v = classifyLine(line.text, stats);
    if (v.kind === 'skip') continue;
    for (const [asset, price] of v.prices) onPrice(asset, { t: v.t, price });
    if (v.kind === 'poll') await onPoll({ t: v.t, narratives: v.narratives }, line.bytes);
  }
  return stats;
}

/** What a recording's skipped lines mean, for the summary a user reads (empty when nothing was skipped). */
export function describeSkipped(stats: RecordingStats): string[] {
  const out: string[] = [];
  if (stats.outOfOrder) out.push(`${stats.outOfOrder} poll(s) went back in time and were skipped: a recording must be in time order (sort its lines by "t")`);
  if (stats.badLines) out.push(`${stats.badLines} line(s) were unreadable (not JSON, no valid "t", or neither a poll nor a price line) and were skipped`);
  if (stats.tooLong) out.push(`${stats.tooLong} line(s) over ${MAX_LINE_BYTES / 2 ** 20} MiB were skipped unread`);
  return out;
}

export interface RecordedOutcome {
  narrativeId: string;
  outcome: Outcome;
  resolvedAt: number | null;
}

export async function readOutcomes(path: string): Promise<{ outcomes: RecordedOutcome[]; badLines: number }> {
  const outcomes: RecordedOutcome[] = [];
  let badLines = 0;
  // line by line with the recording's bounded reader: a line past MAX_LINE_BYTES is skipped unread and counted (readline
  // held a whole 700 MB line and failed with "Invalid string length")
  for (const { text, tooLong } of recordingLines(path)) {
    if (tooLong) {
      badLines++;
      continue;
    }
    const line = text!.endsWith('\r') ? text!.slice(0, -1) : text!;
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

/** The times of a recording's first and last polls, read from its head and tail (a whole scan only if need be). */
export function recordingSpan(path: string): { firstT: number; lastT: number } | null {
  const probe = emptyStats();
  let firstT: number | null = null;
  for (const line of recordingLines(path)) {
    const v = classifyLine(line.text, probe);
    if (v.kind === 'poll') {
      firstT = v.t;
      break;
    }
  }
  if (firstT === null) return null;
  // The last poll from the file's tail: a little first (a poll line is tens of kB), more only if need be.
  const size = statSync(path).size;
  for (let want = 256 * 1024; ; want *= 4) {
    const tail = Math.min(size, want, 16 * 1024 * 1024);
    const buf = Buffer.alloc(tail);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, buf, 0, tail, size - tail);
    } finally {
      closeSync(fd);
    }
    const lines = buf.toString('utf8').split('\n');
    for (let i = lines.length - 1; i >= (tail < size ? 1 : 0); i--) {
      const v = classifyLine(lines[i]!, emptyStats());
      if (v.kind === 'poll') return { firstT, lastT: Math.max(firstT, v.t) };
    }
    if (tail === size || tail >= 16 * 1024 * 1024) break;
  }
  let lastT = firstT;
  for (const line of recordingLines(path)) {
    const v = classifyLine(line.text, probe);
    if (v.kind === 'poll') lastT = Math.max(lastT, v.t);
  }
  return { firstT, lastT };
}
