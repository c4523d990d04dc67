// The store port: what the engine and executors record, and what they read back. SQLite implements it
// (src/store/sqlite-store.ts); backtests use the same implementation on a scratch file.
import type { Decision, PortfolioView } from '../core/decide.js';
import type { ResolutionDecision } from '../core/decide-resolution.js';
import type { Narrative, NarrativeSnapshot } from '../core/narrative.js';
import type { Verdict } from '../core/strategy.js';

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

export interface BackingIntent {
  intentKey: string;
  decisionId: number;
  narrativeId: string;
  category: string;
  stakeLamports: bigint;
  state: string;
  dryRun: boolean;
  at: string;
}

export type Outcome = 'true' | 'false' | 'refund';

export interface OutcomeRecord {
  narrativeId: string;
  outcome: Outcome;
  resolvedAt: string | null;
  source: string;
}

export interface SettledBacking {
  backingId: number;
  narrativeId: string;
  stakeLamports: bigint;
  pnlLamports: bigint;
  dryRun: boolean;
}

export interface ResolutionIntent {
  narrativeId: string;
  resolution: boolean;
  confidence: number;
  evidence: string;
  state: string;
  dryRun: boolean;
  at: string;
}

export interface Store {
  beginTick(startedAt: string): number;
  finishTick(tickId: number, outcome: TickOutcome): void;
  /** Records one poll; stores a snapshot only for narratives that changed. Returns how many changed. */
  recordFeed(tickId: number, observedAt: string, items: readonly FeedObservation[]): number;
  /** Snapshots of one narrative observed at or before `upTo`, oldest first. */
  history(narrativeId: string, upTo: string): NarrativeSnapshot[];
  recordOpinions(tickId: number, narrativeId: string, observedAt: string, opinions: readonly OpinionRecord[], oracleStatus?: string): void;
  recordDecision(tickId: number, decision: Decision, dryRun: boolean, createdAt: string): number;
  recordResolutionDecision(tickId: number, decision: ResolutionDecision, dryRun: boolean, createdAt: string): number;
  /** One row per narrative: returns null when a verdict for it is already journaled. */
  insertResolutionIntent(intent: ResolutionIntent): number | null;
  hasResolution(narrativeId: string): boolean;
  recordApiCall(call: ApiCallRecord): void;
  /** Open positions, exposure and today's spend from the backing journal (`dayStart`: start of the UTC day). */
  portfolioView(dryRun: boolean, dayStart: string): PortfolioView;
  insertBackingIntent(intent: BackingIntent): number;
  /**
   * Narratives with no outcome yet, not among `exclude` (the live feed): those the agent decided on or holds, or
   * only those it holds (`heldOnly`), most recently seen first.
   */
  narrativesAwaitingOutcome(exclude: ReadonlySet<string>, limit: number, heldOnly?: boolean): string[];
  /** Records an outcome (first one wins) and settles unsettled backings of it; returns what was settled. */
  recordOutcome(outcome: OutcomeRecord, at: string, pnl: (stake: bigint, outcome: Outcome) => bigint): SettledBacking[] | null;
  getMeta(key: string): string | null;
  setMeta(key: string, value: string): void;
  close(): void;
}
