// The simulated MAGMA world, apart from any HTTP: narratives appear over time, a crowd backs and challenges them
// with a configurable informativeness, and each moves open → live → pending → resolved. MARKET narratives are
// decided by the world's price paths, the others by a hidden true probability. Time advances in fixed one-minute
// steps, so the world at a moment depends only on the seed and that moment (and on agents' own backings and
// verdicts), never on who polled when. Each step touches only the unresolved narratives (the active list).
import { claimProbability, type MarketClaim } from './market-odds.js';
import { ASSETS, PricePaths } from './price-paths.js';
import { Rng } from './rng.js';
import { CATEGORIES, makeNarrativeText } from './templates.js';

export const STEP_MS = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

export type SimStatus = 'open' | 'live' | 'pending' | 'resolved_true' | 'resolved_false' | 'refund';
export type SimOutcome = 'true' | 'false' | 'refund';

export interface SimNarrative {
  id: string;
  title: string;
  thesis: string;
  category: string;
  createdAt: number;
  deadline: number;
  status: SimStatus;
  totalBackedLamports: bigint;
  backerCount: number;
  challengeCount: number;
  /** Hidden: the probability the world resolves it TRUE (MARKET: the model probability at creation). */
  trueProbability: number;
  /** Hidden: the outcome; MARKET narratives learn theirs from the price path at the deadline (null before). */
  outcome: SimOutcome | null;
  resolvedAt: number | null;
  /** Who decided it: the world's oracle, or an agent's verdict. */
  resolvedBy: 'oracle' | 'agent' | null;
  /** MARKET narratives only. */
  market: MarketClaim | null;
  /** Crowd arrivals per minute while open or live. */
  activity: number;
  /** Wallets outside the crowd that backed it (each counts once in backerCount). */
  walletBackers: Set<string>;
}

export interface WorldOptions {
  seed: number;
  /** Simulated start time (ms since epoch). */
  startMs: number;
  /** 0 = the crowd is noise, 1 = each participant leans fully toward the truth. */
  crowdInformativeness?: number;
  narrativesPerHour?: number;
  /** Narratives already running at the start. */
  initialNarratives?: number;
}

/** A deterministic start time from a seed: midnight UTC of a day in 2026 (never the wall clock). */
export function startTimeForSeed(seed: number): number {
  return Date.UTC(2026, 0, 1) + (Math.abs(Math.trunc(seed)) % 300) * DAY;
}

export type WorldEvent =
  | { type: 'narrative.created'; narrative: SimNarrative; at: number }
  | { type: 'narrative.resolved'; narrative: SimNarrative; at: number };

export class World {
  readonly startMs: number;
  readonly prices: PricePaths;
  private nowMs: number;
  private readonly rng: Rng;
  private readonly informativeness: number;
  private readonly perStepArrival: number;
  /** Every narrative ever created, in creation order (iteration order is part of determinism). */
  private readonly all: SimNarrative[] = [];
  /** The unresolved ones, in creation order: the only ones a step has to touch. */
  private active: SimNarrative[] = [];
  private readonly byId = new Map<string, SimNarrative>();
  private readonly listeners: Array<(event: WorldEvent) => void> = [];
  private readonly stepListeners: Array<(at: number) => void> = [];

  constructor(options: WorldOptions) {
    this.rng = new Rng(options.seed);
    this.startMs = options.startMs - (options.startMs % STEP_MS);
    this.nowMs = this.startMs;
    this.prices = new PricePaths(options.seed, this.startMs, STEP_MS);
    this.informativeness = Math.min(1, Math.max(0, options.crowdInformativeness ?? 0.9));
    this.perStepArrival = (options.narrativesPerHour ?? 2) / 60;
    const initial = options.initialNarratives ?? 30;
    for (let i = 0; i < initial; i++) {
      // Spread over the last two days, then let the crowd catch up to the present.
      const createdAt = this.startMs - Math.floor(this.rng.range(0, 48)) * HOUR - this.rng.int(60) * STEP_MS;
      const n = this.create(createdAt);
      const minutes = Math.floor((this.startMs - createdAt) / STEP_MS);
      for (let m = 0; m < minutes; m++) {
        this.crowdStep(n, createdAt + m * STEP_MS);
        this.lifecycle(n, createdAt + m * STEP_MS);
      }
      this.lifecycle(n, this.startMs);
    }
    this.all.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    this.active = this.all.filter((n) => n.resolvedAt === null);
  }

  get now(): number {
    return this.nowMs;
  }

  onEvent(listener: (event: WorldEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Called after every step with the step's time (recorders, webhook schedulers). */
  onStep(listener: (at: number) => void): void {
    this.stepListeners.push(listener);
  }

  /** Moves the world forward to `ms` (never back), one fixed step at a time. */
  advanceTo(ms: number): void {
    while (this.nowMs + STEP_MS <= ms) {
      this.nowMs += STEP_MS;
      this.step(this.nowMs);
      for (const l of this.stepListeners) l(this.nowMs);
    }
  }

  /** Up to `limit` open/live/pending narratives, newest first (the feed's contract). */
  feed(limit = 50): SimNarrative[] {
    const out: SimNarrative[] = [];
    for (let i = this.active.length - 1; i >= 0 && out.length < limit; i--) {
      const n = this.active[i]!;
      if (n.status === 'open' || n.status === 'live' || n.status === 'pending') out.push(n);
    }
    return out;
  }

  get(id: string): SimNarrative | undefined {
    return this.byId.get(id);
  }

  narratives(): readonly SimNarrative[] {
    return this.all;
  }

  /** The asset's price now (the world's current step). */
  price(asset: string): number {
    return this.prices.priceAt(asset, this.nowMs);
  }

  /** A confirmed on-chain backing by a wallet outside the crowd (an agent): counted like any backer. */
  recordBacking(narrativeId: string, wallet: string, lamports: bigint): void {
    const n = this.byId.get(narrativeId);
    if (!n) return;
    n.totalBackedLamports += lamports;
    if (!n.walletBackers.has(wallet)) {
      n.walletBackers.add(wallet);
      n.backerCount++;
    }
  }

  /** An accepted agent verdict (POST /v1/agent/resolve) settles the narrative now, whatever the world drew. */
  resolveByVerdict(narrativeId: string, verdict: 'true' | 'false', at: number): void {
    const n = this.byId.get(narrativeId);
    if (!n || n.resolvedAt !== null) return;
    n.outcome = verdict;
    this.settle(n, at, 'agent');
  }

  private emit(event: WorldEvent): void {
    for (const l of this.listeners) l(event);
  }

  private create(createdAt: number): SimNarrative {
    const rng = this.rng;
    const category = rng.pick(CATEGORIES);
    let deadline = createdAt + Math.floor(rng.range(6, 96)) * HOUR;
    // A price claim closes at a UTC midnight ("closes above $X on June 1" = the price at June 2 00:00 UTC).
    if (category === 'MARKET') deadline = Math.ceil(deadline / DAY) * DAY;
    const text = makeNarrativeText(rng, category, deadline, { price: (asset) => this.prices.priceAt(asset, createdAt) });
    const market = text.market ?? null;
    let trueProbability: number;
    if (market) {
      trueProbability = claimProbability(market, this.prices.priceAt(market.asset, createdAt), ASSETS[market.asset]!.vol, (deadline - createdAt) / YEAR);
    } else {
      // Many claims are near-certain one way or the other; the rest are genuinely uncertain.
      const u = rng.next();
      trueProbability = u < 0.3 ? rng.range(0.85, 0.995) : u < 0.55 ? rng.range(0.01, 0.15) : rng.range(0.15, 0.85);
    }
    const refund = rng.chance(0.02);
    const drawn = rng.chance(trueProbability);
    const outcome: SimOutcome | null = refund ? 'refund' : market ? null : drawn ? 'true' : 'false';
    const n: SimNarrative = {
      id: rng.uuid(), title: text.title, thesis: text.thesis, category, createdAt, deadline, status: 'open',
      totalBackedLamports: 0n, backerCount: 0, challengeCount: 0, trueProbability, outcome, resolvedAt: null, resolvedBy: null, market,
      activity: rng.range(0.02, 0.25), walletBackers: new Set(),
    };
    this.all.push(n);
    this.byId.set(n.id, n);
    return n;
  }

  private crowdStep(n: SimNarrative, at: number): void {
    if (n.status !== 'open' && n.status !== 'live') return;
    if (at >= n.deadline) return;
    const arrivals = this.rng.poisson(n.activity);
    const lean = 0.5 + this.informativeness * (n.trueProbability - 0.5);
    for (let k = 0; k < arrivals; k++) {
      if (this.rng.chance(lean)) {
        n.backerCount++;
        const sol = Math.min(10, Math.max(0.001, Math.exp(this.rng.normal() * 0.9)));
        n.totalBackedLamports += BigInt(Math.round(sol * 1000)) * 1_000_000n;
      } else {
        n.challengeCount++;
      }
    }
  }

  /** What the price path says about a MARKET claim at its deadline. */
  private marketOutcome(n: SimNarrative, claim: MarketClaim): SimOutcome {
    if (claim.kind === 'close') {
      const close = this.prices.priceAt(claim.asset, n.deadline);
      return (claim.direction === 'above' ? close > claim.level : close < claim.level) ? 'true' : 'false';
    }
    const { min, max } = this.prices.extremes(claim.asset, n.createdAt, n.deadline);
    return (claim.direction === 'above' ? max >= claim.level : min <= claim.level) ? 'true' : 'false';
  }

  private lifecycle(n: SimNarrative, at: number): void {
    if (n.resolvedAt !== null) return;
    if (n.status === 'open' && (n.backerCount >= 3 || at - n.createdAt >= 2 * HOUR)) n.status = 'live';
    if ((n.status === 'open' || n.status === 'live') && at >= n.deadline) {
      n.status = 'pending';
      if (n.outcome === null && n.market) n.outcome = this.marketOutcome(n, n.market);
    }
    if (n.status === 'pending' && at >= n.deadline + HOUR) this.settle(n, at, 'oracle');
  }

  private settle(n: SimNarrative, at: number, by: 'oracle' | 'agent'): void {
    if (n.outcome === null && n.market) n.outcome = this.marketOutcome(n, n.market);
    n.status = n.outcome === 'refund' ? 'refund' : n.outcome === 'true' ? 'resolved_true' : 'resolved_false';
    n.resolvedAt = at;
    n.resolvedBy = by;
    this.emit({ type: 'narrative.resolved', narrative: n, at });
  }

  private step(at: number): void {
    this.prices.advanceTo(at);
    for (let k = this.rng.poisson(this.perStepArrival); k > 0; k--) {
      const n = this.create(at);
      this.active.push(n);
      this.emit({ type: 'narrative.created', narrative: n, at });
    }
    let settled = false;
    for (const n of this.active) {
      if (n.resolvedAt !== null) {
        settled = true;
        continue;
      }
      this.crowdStep(n, at);
      this.lifecycle(n, at);
      if (n.resolvedAt !== null) settled = true;
    }
    if (settled) this.active = this.active.filter((n) => n.resolvedAt === null);
  }
}
