// Turns what the store recorded back into a recording (INTERFACE.md "Recordings"): one line per poll,
// {"t": ISO, "narratives": [feed items exactly as received]}, in feed order. Snapshots are stored only when a
// narrative changed, so each poll is rebuilt from the latest snapshot of each narrative at or before it.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { SqliteStore } from '../store/sqlite-store.js';

export interface ExportRange {
  since?: string;
  until?: string;
}

export function exportRecording(store: SqliteStore, out: string, range: ExportRange = {}): { polls: number; bytes: number } {
  const since = range.since ?? '0000';
  const until = range.until ?? '9999';
  const polls = store.db
    .prepare(`SELECT observed_at, narrative_ids FROM feed_polls WHERE observed_at >= ? AND observed_at <= ? ORDER BY observed_at, tick_id`)
    .iterate(since, until) as IterableIterator<{ observed_at: string; narrative_ids: string }>;
  const snapshots = store.db
    .prepare(`SELECT narrative_id, observed_at, raw_json FROM narrative_snapshots WHERE observed_at <= ? ORDER BY observed_at, id`)
    .iterate(until) as IterableIterator<{ narrative_id: string; observed_at: string; raw_json: string }>;
  const prices = store.db
    .prepare(`SELECT asset, t, price FROM price_points WHERE t <= ? ORDER BY t, asset`)
    .iterate(until) as IterableIterator<{ asset: string; t: string; price: number }>;
  const latest = new Map<string, string>();
  let pending = snapshots.next();
  let price = prices.next();

  // Write to a temp file and rename, so an interrupted export never leaves a truncated recording behind.
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o644);
  let count = 0;
  let bytes = 0;
  try {
    for (const poll of polls) {
      while (!pending.done && pending.value.observed_at <= poll.observed_at) {
        latest.set(pending.value.narrative_id, pending.value.raw_json);
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
      const items = (JSON.parse(poll.narrative_ids) as string[]).map((id) => latest.get(id)).filter((raw): raw is string => raw !== undefined);
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
