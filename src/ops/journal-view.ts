// What the operator's view needs from the journal after each tick (the in-flight, stuck, open-position and exposure
// gauges; the stuck-backings alert): open positions and exposure from the ledger book the journal already keeps in
// memory, backings in flight through the backings_by_state index. Read once per tick by the daemon, never on a
// scrape, and never a scan of the whole backings table (which grows for as long as the agent runs).
import { BACKING_STATES, FINAL_BACKING_STATES, type BackingState, type Journal } from '../ports/journal.js';
import type { Clock } from '../ports/clock.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import type { JournalView } from './daemon-ops.js';

/** States a backing can still leave: what counts as in flight. */
export const IN_FLIGHT_STATES: readonly BackingState[] = BACKING_STATES.filter((s) => !FINAL_BACKING_STATES.has(s));

export interface JournalViewOptions {
  store: SqliteStore;
  journal: Journal;
  clock: Pick<Clock, 'now'>;
  /** A backing in flight for longer than this (by its last change) counts as stuck. */
  stuckAfterMs: number;
}

export function journalView(o: JournalViewOptions): () => JournalView {
  return () => {
    const rows = o.journal.backingsInStates(IN_FLIGHT_STATES);
    const now = o.clock.now();
    // Stuck: in flight too long, or one no RPC answer could prove expired (it waits for the operator).
    const stuck = rows.filter((r) => now - Date.parse(r.updatedAt) > o.stuckAfterMs || r.error?.startsWith('cannot prove') === true).length;
    const book = o.store.ledgerBook(o.store.ledger);
    return { inFlight: rows.length, stuck, openPositions: book.openPositions, exposure: book.exposure };
  };
}

/** The stuck threshold the daemon uses: three confirmation timeouts, at least ten minutes. */
export function stuckAfterMs(confirmTimeoutSeconds: number): number {
  return Math.max(10 * 60_000, 3 * confirmTimeoutSeconds * 1000);
}
