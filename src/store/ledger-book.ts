// What the journal's guard reads when it opens an intent, kept in memory per ledger (live, dry-run) so that opening
// one is a lookup and two writes, not a scan of every backing: open exposure (by category, second transfers counted),
// held narratives, what was spent in a time window, intents opened in the last minute, narratives in flight per
// wallet, and the narratives with a verdict. Loaded from the database at first use (so a restart rebuilds it from
// what was committed), then kept in step by the journal's own writes and the store's settlement, each applied only
// after its transaction committed. SqliteStore.ledgerView (the engine's portfolio) reads it too; a test holds it to
// the tables.
import type { BackingState } from '../ports/journal.js';

/** States that hold no money at risk and count for no limit. */
export const CLOSED_BACKING_STATES: ReadonlySet<string> = new Set(['failed', 'expired', 'cancelled']);
const IN_FLIGHT: ReadonlySet<string> = new Set(['intent', 'signed', 'sent', 'confirmed']);

interface Entry {
  id: number;
  at: string;
  amount: bigint;
}

/**
 * Entries in time order (ISO strings compare as times), summed from a start that mostly moves forward: the sum is
 * kept for the last start and moved by the entries that left the window, so each read costs what changed.
 */
export class TimeWindow {
  private entries: Entry[] = [];
  private readonly byId = new Map<number, Entry>();
  private cache: { start: string; head: number; sum: bigint } | null = null;
  /** Entries before this time were dropped: a window starting at or before it is not answered from memory. */
  private droppedUpTo: string | null = null;

  add(id: number, at: string, amount: bigint): void {
    const e = { id, at, amount };
    const last = this.entries[this.entries.length - 1];
    this.byId.set(id, e);
    if (!last || last.at <= at) {
      this.entries.push(e);
      if (this.cache && at >= this.cache.start) this.cache.sum += amount;
      return;
    }
    // Out of time order (a clock set back): kept sorted, the sum recomputed at the next read.
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1]!.at > at) i--;
    this.entries.splice(i, 0, e);
    this.cache = null;
  }

  /** Changes an entry's amount (0: it no longer counts). */
  set(id: number, amount: bigint): void {
    const e = this.byId.get(id);
    if (!e) return;
    if (this.cache && e.at >= this.cache.start) this.cache.sum += amount - e.amount;
    e.amount = amount;
  }

  /** The sum of entries at or after `start`; null when that reaches back past what was dropped. */
  sum(start: string): bigint | null {
    if (this.droppedUpTo !== null && start <= this.droppedUpTo) return null;
    // A start after every entry sums nothing, and must not move the window (it would drop what later sums need).
    const last = this.entries[this.entries.length - 1];
    if (!last || start > last.at) return 0n;
    let c = this.cache;
    if (!c || start < c.start) {
      let head = 0;
      while (head < this.entries.length && this.entries[head]!.at < start) head++;
      let sum = 0n;
      for (let i = head; i < this.entries.length; i++) sum += this.entries[i]!.amount;
      c = this.cache = { start, head, sum };
      return sum;
    }
    while (c.head < this.entries.length && this.entries[c.head]!.at < start) c.sum -= this.entries[c.head++]!.amount;
    c.start = start;
    // What the window left long ago is dropped now and then (a daemon runs for months).
    if (c.head > 4_096) {
      const gone = this.entries.splice(0, c.head);
      for (const e of gone) this.byId.delete(e.id);
      this.droppedUpTo = gone[gone.length - 1]!.at;
      c.head = 0;
    }
    return c.sum;
  }
}

export interface BookRow {
  id: number;
  narrativeId: string;
  category: string;
  stake: bigint;
  state: BackingState;
  wallet: string | null;
  createdAt: string;
  settled: boolean;
  /** Attempts of this intent that landed (more than one: a second transfer, counted too). */
  landed: number;
}

const count = (m: Map<string, number>, k: string, d: number): boolean => {
  const n = (m.get(k) ?? 0) + d;
  if (n <= 0) m.delete(k);
  else m.set(k, n);
  return n === (d > 0 ? 1 : 0);
};

/** One ledger's figures. */
export class LedgerBook {
  private readonly rows = new Map<number, BookRow>();
  exposure = 0n;
  readonly exposureByCategory = new Map<string, bigint>();
  private readonly heldCount = new Map<string, number>();
  readonly heldNarratives = new Set<string>();
  private readonly flightCount = new Map<string, Map<string, number>>();
  private readonly flight = new Map<string, Set<string>>();
  readonly spent = new TimeWindow();
  /** Intents opened and not cancelled (expired and failed ones count: they were opened). */
  readonly intents = new TimeWindow();
  readonly verdictNarratives = new Set<string>();
  /** Bumped by every change the book is told of (a backing added, changing state, settled): a cache key for its figures. */
  version = 0;

  /** Money a row holds at risk: its stake once per landed attempt beyond the first, too. */
  private static atStake(r: BookRow): bigint {
    return r.stake * BigInt(Math.max(1, r.landed));
  }

  inFlight(wallet: string | null): ReadonlySet<string> {
    return this.flight.get(wallet ?? '') ?? new Set();
  }

  /** A row as the journal committed it (a new intent, or one loaded at start). */
  add(r: BookRow): void {
    if (r.state === 'cancelled') return; // (a refused intent: it changes none of the figures)
    this.version++;
    this.intents.add(r.id, r.createdAt, 1n);
    if (CLOSED_BACKING_STATES.has(r.state)) return;
    this.spent.add(r.id, r.createdAt, LedgerBook.atStake(r));
    if (LedgerBook.done(r)) return;
    this.rows.set(r.id, r);
    this.track(r, 1);
  }

  /** Settled and no longer in flight: it counts only toward the spending window from now on (kept there). */
  private static done(r: BookRow): boolean {
    return r.settled && !IN_FLIGHT.has(r.state);
  }

  /** A committed state change (closing, leaving flight); `landed`: the intent's landed attempts now. */
  update(id: number, state: BackingState, landed?: number): void {
    this.version++;
    const r = this.rows.get(id);
    if (!r) return;
    this.track(r, -1);
    r.state = state;
    if (landed !== undefined) r.landed = landed;
    if (state === 'cancelled') this.intents.set(id, 0n);
    if (CLOSED_BACKING_STATES.has(state)) {
      this.rows.delete(id);
      this.spent.set(id, 0n);
      return;
    }
    this.spent.set(id, LedgerBook.atStake(r));
    if (LedgerBook.done(r)) this.rows.delete(id);
    else this.track(r, 1);
  }

  /** The narrative's outcome was recorded: its rows no longer count as open exposure. */
  settle(narrativeId: string): void {
    for (const r of this.rows.values()) {
      if (r.narrativeId !== narrativeId || r.settled) continue;
      this.version++; // (an outcome of a narrative the ledger holds nothing of changes none of its figures)
      this.track(r, -1);
      r.settled = true;
      if (LedgerBook.done(r)) this.rows.delete(r.id);
      else this.track(r, 1);
    }
  }

  private track(r: BookRow, d: 1 | -1): void {
    if (!r.settled) {
      const stake = LedgerBook.atStake(r) * BigInt(d);
      this.exposure += stake;
      const cat = (this.exposureByCategory.get(r.category) ?? 0n) + stake;
      if (cat === 0n && d < 0) this.exposureByCategory.delete(r.category);
      else this.exposureByCategory.set(r.category, cat);
      if (count(this.heldCount, r.narrativeId, d)) {
        if (d > 0) this.heldNarratives.add(r.narrativeId);
        else this.heldNarratives.delete(r.narrativeId);
      }
    }
    if (IN_FLIGHT.has(r.state)) {
      const key = r.wallet ?? '';
      let counts = this.flightCount.get(key);
      if (!counts) this.flightCount.set(key, (counts = new Map()));
      let set = this.flight.get(key);
      if (!set) this.flight.set(key, (set = new Set()));
      if (count(counts, r.narrativeId, d)) {
        if (d > 0) set.add(r.narrativeId);
        else set.delete(r.narrativeId);
      }
    }
  }

  get openPositions(): number {
    return this.heldNarratives.size;
  }
}
