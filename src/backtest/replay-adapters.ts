// The adapters a backtest plugs into the one engine: the recorded feed as the MAGMA API, recorded prices as the price
// source, recorded outcomes revealed only once their time has come, and a chain whose balance is the virtual
// bankroll. None of them can see past the replay clock.
import { MagmaError } from '../core/errors.js';
import { parseFeed } from '../magma/schemas.js';
import type { Chain } from '../ports/chain.js';
import type { Clock } from '../ports/clock.js';
import type { FeedResult, MagmaApi } from '../ports/magma-api.js';
import { outcomeOfStatus, type OutcomeSource, type ResolvedOutcome } from '../ports/outcome-source.js';
import type { PricePoint, PriceSource } from '../ports/price-source.js';
import type { RecordedOutcome } from './recording.js';

const notInBacktests = (what: string) => async (): Promise<never> => {
  throw new MagmaError('API_NOT_FOUND', `${what} is not part of a recording.`);
};

/** The recorded feed as the MAGMA API: the current poll, read through the same schemas as live. */
export class ReplayApi {
  private current: unknown[] = [];

  setPoll(narratives: unknown[]): void {
    this.current = narratives;
  }

  api(): MagmaApi {
    const feed = async (): Promise<FeedResult> => parseFeed({ narratives: this.current })!;
    return {
      feed,
      systemStatus: async () => ({ operational: true, halted: [] }),
      termsStatus: async () => ({ accepted: true, termsVersion: 'recording' }),
      walletFlag: async (wallet: string) => ({ walletAddress: wallet, flagged: false, blocked: false, flagType: null, reason: null }),
      register: notInBacktests('register'),
      portfolio: notInBacktests('portfolio'),
      history: notInBacktests('history'),
      leaderboard: notInBacktests('leaderboard'),
      registerWebhook: notInBacktests('registerWebhook'),
      resolve: notInBacktests('resolve'),
      conviction: notInBacktests('conviction'),
      points: notInBacktests('points'),
      pointsLeaderboard: notInBacktests('pointsLeaderboard'),
      echoPoolPreview: notInBacktests('echoPoolPreview'),
      reportBacking: notInBacktests('reportBacking'),
    } as MagmaApi;
  }
}

/** Recorded prices; points arrive as the recording is read, and nothing later than the clock is ever returned. */
export class ReplayPriceSource implements PriceSource {
  private readonly series = new Map<string, PricePoint[]>();

  get assets(): number {
    return this.series.size;
  }

  constructor(private readonly clock: Clock) {}

  add(asset: string, point: PricePoint): void {
    const list = this.series.get(asset) ?? [];
    list.push(point);
    this.series.set(asset, list);
  }

  async getPrice(asset: string): Promise<number> {
    const now = this.clock.now();
    const list = this.series.get(asset.toUpperCase()) ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.t <= now) return list[i]!.price;
    throw new MagmaError('API_NOT_FOUND', `the recording has no ${asset} price at or before ${new Date(now).toISOString()}.`);
  }

  async getHistory(asset: string, sinceMs: number): Promise<PricePoint[]> {
    const now = this.clock.now();
    return (this.series.get(asset.toUpperCase()) ?? []).filter((p) => p.t >= sinceMs && p.t <= now);
  }
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

/** The virtual wallet: the starting bankroll less what is at stake, plus what has settled. */
export function virtualChain(balance: () => bigint): Chain {
  return {
    getBalance: async () => balance(),
    getBlockHeight: async () => 0,
  } as Chain;
}
