// Turns what the store recorded back into a recording (INTERFACE.md "Recordings"): one line per poll,
// {"t": ISO, "narratives": [feed items exactly as received]}, in feed order. Snapshots are stored only when a
// narrative changed, so each poll is rebuilt from the latest snapshot of each narrative at or before it.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { patchRaw } from '../store/raw-delta.js';
import type { SqliteStore } from '../store/sqlite-store.js';

interface SnapshotRow {
  narrative_id: string;
  t: bigint;
  oracle_status: string;
  total_backed_lamports: bigint;
  backer_count: bigint;
  challenge_count: bigint;
  raw_json: string | null;
}

export interface ExportRange {
  since?: string;
  until?: string;
}

export function exportRecording(store: SqliteStore, out: string, range: ExportRange = {}): { polls: number; bytes: number } {
  const since = range.since ?? '0000';
  const until = range.until ?? '9999';
  // From the first poll (lists are carried forward from earlier polls); polls before `since` are not written.
  const polls = store.db
    .prepare(`SELECT observed_at, narrative_ids FROM feed_polls WHERE observed_at <= ? ORDER BY observed_at, tick_id`)
    .iterate(until) as IterableIterator<{ observed_at: string; narrative_ids: string | null }>;
  const snapshots = store.db
    .prepare(`SELECT n.id AS narrative_id, s.t, s.oracle_status, s.total_backed_lamports, s.backer_count, s.challenge_count, s.raw_json
              FROM narrative_snapshots s JOIN narratives n ON n.nid = s.nid WHERE s.t <= ? ORDER BY s.t, s.id`)
    .safeIntegers(true)
    .iterate(BigInt(Date.parse(until === '9999' ? '9999-12-31T23:59:59.999Z' : until))) as IterableIterator<SnapshotRow>;
  const prices = store.db
    .prepare(`SELECT asset, t, price FROM price_points WHERE t <= ? ORDER BY t, asset`)
    .iterate(until) as IterableIterator<{ asset: string; t: string; price: number }>;
  // issue 17: Magus answers, so a backtest of the export replays them instead of calling Magus.
  const answers = store.db
    .prepare(`SELECT narrative_id, version, asked_at, p_true, confidence, verdict, reasoning FROM magus_answers WHERE asked_at <= ? ORDER BY asked_at, id`)
    .iterate(until) as IterableIterator<{ narrative_id: string; version: string; asked_at: string; p_true: number; confidence: number; verdict: string; reasoning: string }>;
  // A snapshot without its raw item is the previous raw item of its narrative with the tracked fields patched in.
  const latest = new Map<string, string>();
  const latestRaw = new Map<string, Record<string, unknown>>();
  const rawOf = (row: SnapshotRow): string => {
    if (row.raw_json !== null) {
      const parsed = JSON.parse(row.raw_json) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) latestRaw.set(row.narrative_id, parsed as Record<string, unknown>);
      return row.raw_json;
    }
    const previous = latestRaw.get(row.narrative_id) ?? { id: row.narrative_id };
    const patched = patchRaw(previous, {
      oracleStatus: row.oracle_status, totalBackedLamports: row.total_backed_lamports, backerCount: Number(row.backer_count), challengeCount: Number(row.challenge_count),
    });
    latestRaw.set(row.narrative_id, patched);
    return JSON.stringify(patched);
  };
  let pending = snapshots.next();
  let price = prices.next();
  let answer = answers.next();

  // Write to a temp file and rename, so an interrupted export never leaves a truncated recording behind.
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o644);
  let count = 0;
  let bytes = 0;
  let ids: string[] = [];
  try {
    for (const poll of polls) {
      const pollMs = BigInt(Date.parse(poll.observed_at));
      while (!pending.done && pending.value.t <= pollMs) {
        latest.set(pending.value.narrative_id, rawOf(pending.value));
        pending = snapshots.next();
      }
      // price lines go before the poll that could see them, grouped by time
      while (!price.done && price.value.t <= poll.observed_at) {
        const t = price.value.t;
        const group: Record<string, number> = {};
        while (!price.done && price.value.t === t) {
          group[price.value.asset] = price.value.price;
          price = prices.next();
        }
        if (t >= since) bytes += writeSync(fd, `{"t":${JSON.stringify(t)},"prices":${JSON.stringify(group)}}\n`);
      }
      while (!answer.done && answer.value.asked_at <= poll.observed_at) {
        const a = answer.value;
        if (a.asked_at >= since) {
          bytes += writeSync(fd, `${JSON.stringify({ t: a.asked_at, magus: { narrative_id: a.narrative_id, version: a.version, p_true: a.p_true, confidence: a.confidence, verdict: a.verdict, reasoning: a.reasoning } })}\n`);
        }
        answer = answers.next();
      }
      // A poll stores its list only when it changed: NULL is the list of the poll before.
      if (poll.narrative_ids !== null) ids = JSON.parse(poll.narrative_ids) as string[];
      const items = ids.map((id) => latest.get(id)).filter((raw): raw is string => raw !== undefined);
      if (poll.observed_at < since) continue;
      const line = `{"t":${JSON.stringify(poll.observed_at)},"narratives":[${items.join(',')}]}\n`;
      bytes += writeSync(fd, line);
      count++;
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
    // iterators left open keep the connection busy: end them
    polls.return?.();
    snapshots.return?.();
    prices.return?.();
    answers.return?.();
  }
  renameSync(tmp, out);
  return { polls: count, bytes };
}

/** The outcomes the agent learned, as an outcomes file (INTERFACE.md): one {narrative_id, outcome, resolved_at} a line. */
export function exportOutcomes(store: SqliteStore, out: string): number {
  const rows = store.db.prepare(`SELECT narrative_id, outcome, COALESCE(resolved_at, recorded_at) AS at FROM outcomes ORDER BY at, narrative_id`).all() as Array<{ narrative_id: string; outcome: string; at: string }>;
  writeFileAtomic(out, rows.map((r) => JSON.stringify({ narrative_id: r.narrative_id, outcome: r.outcome, resolved_at: r.at })).join('\n') + (rows.length ? '\n' : ''), 0o644);
  return rows.length;
}
