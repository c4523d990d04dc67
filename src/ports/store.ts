// The store port: what the engine records, and what it reads back. A store is bound to one ledger (live or dry-run)
// when it is composed, so nothing that uses it passes or knows the mode. SQLite implements it for the daemon
// (src/store/sqlite-store.ts); backtests use an in-memory implementation fit for millions of replayed snapshots
// (src/store/replay-store.ts) whose ledger is SQLite in memory.
import type { Decision, PortfolioView } from '../core/decide.js';
import type { ResolutionDecision } from '../core/decide-resolution.js';
import type { Narrative, NarrativeSnapshot } from '../core/narrative.js';
import type { Verdict } from '../core/strategy.js';
import type { OracleSource } from './magma-api.js';

export interface FeedObservation {
  narrative: Narrative;
  /** The feed item exactly as received. */
  raw: unknown;
}

export interface OpinionRecord {
  strategy: string;
  pTrue: number | null;
  confidence: number | null;
  rationale?: string | undefined;
  /** A rationale not written yet (Opinion.explain): `rationaleOf` gives the text of either, when it is kept. */
  explain?: (() => string) | undefined;
  verdict?: Verdict | undefined;
  error?: string | undefined;
  durationMs: number;
}

export interface ApiCallRecord {
  at: string;
  family: string;
  method: string;
  route: string;
  status: number | null;
  latencyMs: number;
  rateLimitLimit?: number | null;
  rateLimitRemaining?: number | null;
  rateLimitReset?: string | null;
  /** Our own budget left for the family after the call (the client's view, below the server's limit). */
  budgetRemaining?: number | null;
  errorCode?: string | null;
}

export interface TickOutcome {
  status: 'ok' | 'failed' | 'aborted';
  finishedAt: string;
  feedCount?: number;
  droppedCount?: number;
  decisions?: number;
  errorCode?: string;
  error?: string;
}

export type Ledger = 'live' | 'dry-run';

export type Outcome = 'true' | 'false' | 'refund';

export interface OutcomeRecord {
  narrativeId: string;
  outcome: Outcome;
  resolvedAt: string | null;
  source: string;
  /** The oracle's confidence (0–1) and the sources it weighed, when the outcome source knows them. */
  confidence?: number | null;
  sources?: readonly OracleSource[] | null;
}

export interface SettledBacking {
  backingId: number;
  narrativeId: string;
  stakeLamports: bigint;
  pnlLamports: bigint;
  ledger: Ledger;
}

export interface Store {
  beginTick(startedAt: string): number;
  finishTick(tickId: number, outcome: TickOutcome): void;
  /** Runs `fn` (synchronous) so that its writes commit together: a tick's records are one transaction. */
  batch<T>(fn: () => T): T;
  /** Records one poll; stores a snapshot only for narratives that changed. Returns how many changed. */
  recordFeed(tickId: number, observedAt: string, items: readonly FeedObservation[]): number;
  /** A narrative's snapshots within the history window before `nowMs`, oldest first (frozen; from memory). */
  history(narrativeId: string, nowMs: number): readonly NarrativeSnapshot[];
  /** Records the tick's opinions of a narrative; one equal to the previous one extends that record. */
  recordOpinions(tickId: number, narrativeId: string, observedAt: string, opinions: readonly OpinionRecord[], oracleStatus?: string): void;
  /** Records a decision (a skip equal to the narrative's previous one extends that record); returns its id. */
  recordDecision(tickId: number, decision: Decision, createdAt: string): number;
  recordResolutionDecision(tickId: number, decision: ResolutionDecision, createdAt: string): number;
  hasResolution(narrativeId: string): boolean;
  /** Open positions, exposure and today's spend of this store's ledger (`dayStart`: start of the UTC day). */
  portfolioView(dayStart: string): PortfolioView;
  /**
   * Narratives with no outcome yet, not among `exclude` (the live feed): those the agent decided on or holds, or
   * only those it holds (`heldOnly`), most recently seen first; none deferred past `nowMs`.
   */
  narrativesAwaitingOutcome(exclude: ReadonlySet<string>, limit: number, heldOnly?: boolean, nowMs?: number): string[];
  /** A narrative asked about and still open: not returned by narrativesAwaitingOutcome before `untilMs`. */
  deferOutcomeLookup(narrativeId: string, untilMs: number): void;
  /** Records an outcome (first one wins) and settles unsettled backings of it; returns what was settled. */
  recordOutcome(outcome: OutcomeRecord, at: string, pnl: (stake: bigint, outcome: Outcome) => bigint): SettledBacking[] | null;
  getMeta(key: string): string | null;
  setMeta(key: string, value: string): void;
  close(): void;
}
