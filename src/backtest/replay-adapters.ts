// The adapters a backtest plugs into the one engine: the recorded feed as the MAGMA API, recorded prices as the price
// source, recorded outcomes revealed only once their time has come, and a chain whose balance is the virtual
// bankroll. None of them can see past the replay clock.
import { MagmaError } from '../core/errors.js';
import type { Narrative } from '../core/narrative.js';
import type { Chain } from '../ports/chain.js';
import type { Clock } from '../ports/clock.js';
import type { FeedObservation } from '../ports/store.js';
import type { DroppedItem, FeedResult, MagmaReadApi, SystemStatus, TermsStatus, WalletFlag } from '../ports/magma-api.js';
import { outcomeOfStatus, type OutcomeSource, type ResolvedOutcome } from '../ports/outcome-source.js';
import type { PricePoint, PriceSource } from '../ports/price-source.js';
import type { MagusAnswerStore, StoredMagusAnswer } from '../ports/magus.js';
import type { RecordedOutcome } from './recording.js';

/** The recorded feed as the engine's read port: the current poll, parsed by the reader through the live schemas. */
export class ReplayApi implements MagmaReadApi {
  private current: FeedResult = { narratives: [], dropped: [] };
  /**
   * The observation made of each narrative's latest object: an unchanged narrative (the same object) reuses it. Kept
   * across polls, and emptied of narratives no longer in the feed now and then (memory stays bounded).
   */
  private readonly observed = new Map<string, FeedObservation>();
  private polls = 0;

  setPoll(narratives: readonly Narrative[], dropped: readonly DroppedItem[] = []): void {
    const list: FeedObservation[] = new Array(narratives.length);
    const before = this.current.narratives;
    for (let i = 0; i < narratives.length; i++) {
      const narrative = narratives[i]!;
      // Most polls list the same narratives in the same order: the previous poll's observation at this place is
      // checked first, without a lookup.
      let o: FeedObservation | undefined = before[i];
      if (o?.narrative !== narrative) {
        o = this.observed.get(narrative.id);
        if (o?.narrative !== narrative) this.observed.set(narrative.id, (o = { narrative, raw: null }));
      }
      list[i] = o;
    }
    if (++this.polls % 1024 === 0 && this.observed.size > 2 * narratives.length) {
      const now = new Set(narratives.map((n) => n.id));
      for (const id of this.observed.keys()) if (!now.has(id)) this.observed.delete(id);
    }
    this.current = { narratives: list, dropped: dropped.length ? [...dropped] : [] };
  }

  async feed(): Promise<FeedResult> {
    return this.current;
  }

  async systemStatus(): Promise<SystemStatus> {
    return { operational: true, halted: [] };
  }

  async termsStatus(): Promise<TermsStatus> {
    return { accepted: true, termsVersion: 'recording' };
  }

  async walletFlag(wallet: string): Promise<WalletFlag> {
    return { walletAddress: wallet, flagged: false, blocked: false, flagType: null, reason: null };
  }
}

/** Recorded prices; points arrive in time order as the recording is read, and none later than the clock is returned. */
export class ReplayPriceSource implements PriceSource {
  private readonly series = new Map<string, PricePoint[]>();

  get assets(): number {
    return this.series.size;
  }

  constructor(private readonly clock: Clock) {}

  add(asset: string, point: PricePoint): void {
    let list = this.series.get(asset);
    if (!list) this.series.set(asset, (list = []));
    // Kept sorted: a point out of order (rare) goes to its place.
    if (list.length && list[list.length - 1]!.t > point.t) list.splice(upperBound(list, point.t), 0, point);
    else list.push(point);
  }

  async getPrice(asset: string): Promise<number> {
    const price = this.priceNow(asset);
    if (price !== undefined) return price;
    throw new MagmaError('API_NOT_FOUND', `the recording has no ${asset} price at or before ${new Date(this.clock.now()).toISOString()}.`);
  }

  priceNow(asset: string): number | undefined {
    const list = this.series.get(asset.toUpperCase()) ?? [];
    const i = upperBound(list, this.clock.now()) - 1;
    return i >= 0 ? list[i]!.price : undefined;
  }

  async getHistory(asset: string, sinceMs: number): Promise<PricePoint[]> {
    return this.historyNow(asset, sinceMs);
  }

  historyNow(asset: string, sinceMs: number): PricePoint[] {
    const list = this.series.get(asset.toUpperCase()) ?? [];
    return list.slice(upperBound(list, sinceMs - 1), upperBound(list, this.clock.now()));
  }
}

/** The index of the first point later than t (points sorted by time). */
function upperBound(list: readonly PricePoint[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Outcomes from the outcomes file and from resolved statuses seen in the recording, each revealed only at its time. */
export class ReplayOutcomeSource implements OutcomeSource {
  readonly name = 'recording';
  readonly scope = 'decided' as const;
  private readonly known = new Map<string, RecordedOutcome>();

  constructor(private readonly clock: Clock, outcomes: readonly RecordedOutcome[], private revealUndated = false) {
    for (const o of outcomes) this.known.set(o.narrativeId, o);
  }

  /** A narrative's status turned resolved in the recording at time t. */
  observeStatus(narrativeId: string, status: string, t: number): void {
    const outcome = outcomeOfStatus(status);
    if (outcome && !this.known.has(narrativeId)) this.known.set(narrativeId, { narrativeId, outcome, resolvedAt: t });
  }

  get size(): number {
    return this.known.size;
  }

  /** How a narrative resolved, whenever that was (scoring after the replay; never read during it). */
  outcomeOf(narrativeId: string): RecordedOutcome['outcome'] | null {
    return this.known.get(narrativeId)?.outcome ?? null;
  }

  /** At the end of the recording, outcomes without a time may be revealed. */
  revealAll(): void {
    this.revealUndated = true;
  }

  async outcomes(ids: readonly string[]): Promise<ResolvedOutcome[]> {
    const now = this.clock.now();
    const out: ResolvedOutcome[] = [];
    for (const id of ids) {
      const o = this.known.get(id);
      if (!o) continue;
      if (o.resolvedAt === null ? !this.revealUndated : o.resolvedAt > now) continue;
      out.push({ narrativeId: id, outcome: o.outcome, resolvedAt: o.resolvedAt === null ? null : new Date(o.resolvedAt).toISOString() });
    }
    return out;
  }
}

/** Magus answers recorded in the recording (issue 17), each known from its time on: a backtest never calls Magus. */
export class ReplayMagusAnswers implements MagusAnswerStore {
  private readonly latest = new Map<string, StoredMagusAnswer>();
  count = 0;

  add(answer: StoredMagusAnswer): void {
    this.latest.set(answer.narrativeId, answer);
    this.count++;
  }

  latestMagusAnswer(narrativeId: string): StoredMagusAnswer | null {
    return this.latest.get(narrativeId) ?? null;
  }

  recordMagusAnswer(): void {
    // never asked in a backtest: nothing new to keep
  }
}

/** The virtual wallet: the starting bankroll less what is at stake, plus what has settled. */
export function virtualChain(balance: () => bigint): Chain {
  return {
    getBalance: async () => balance(),
    getBlockHeight: async () => 0,
  };
}
