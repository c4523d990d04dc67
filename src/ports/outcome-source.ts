// Where the agent learns how narratives resolved once they leave the feed: MAGMA's per-narrative read and oracle
// result live, in dry-run and in rehearsals against the simulator, the outcomes file in backtests.
import type { OracleSource } from './magma-api.js';
import type { Outcome } from './store.js';

export interface ResolvedOutcome {
  narrativeId: string;
  outcome: Outcome;
  resolvedAt: string | null;
  /** The oracle's confidence in the outcome (0–1), when the source knows it. */
  confidence?: number | null;
  /** The sources the oracle weighed, when the source knows them. */
  sources?: readonly OracleSource[] | null;
}

export interface OutcomeSource {
  /** Recorded with each outcome (oracle, recording). */
  readonly name: string;
  /** Which narratives it can know about: only those the wallet holds, or any it decided on. */
  readonly scope: 'held' | 'decided';
  /** At most this many narratives per ask (a source that calls per narrative keeps each tick's calls few). */
  readonly maxPerAsk?: number;
  /** Ask about narratives with a position first (a source whose asks are scarce: their profit and loss waits). */
  readonly heldFirst?: boolean;
  /** Outcomes of those of `narrativeIds` that are final; the others are simply absent. */
  outcomes(narrativeIds: readonly string[], signal?: AbortSignal): Promise<ResolvedOutcome[]>;
  /**
   * After an ask, for a narrative still open: the earliest time (ms) worth asking again when the source knows one
   * (its deadline, its challenge window closing), null when it does not, or 'not-asked' when the ask left it out
   * (its rate budget was low): it is then asked first next time.
   */
  retryAt?(narrativeId: string): number | 'not-asked' | null;
}

/** An oracle status that ends a narrative, as an outcome; null while it is still running (or under review). */
export function outcomeOfStatus(status: string): Outcome | null {
  if (status === 'resolved_true') return 'true';
  if (status === 'resolved_false') return 'false';
  if (status === 'refund') return 'refund';
  return null;
}
