// Where the agent learns how narratives resolved once they leave the feed: the simulator's realised outcomes in
// rehearsals, the wallet's portfolio and history live, the outcomes file in backtests.
import type { Outcome } from './store.js';

export interface ResolvedOutcome {
  narrativeId: string;
  outcome: Outcome;
  resolvedAt: string | null;
}

export interface OutcomeSource {
  /** Recorded with each outcome (simulator, portfolio, recording). */
  readonly name: string;
  /** Which narratives it can know about: only those the wallet holds (the portfolio), or any it decided on. */
  readonly scope: 'held' | 'decided';
  /** Outcomes of those of `narrativeIds` that have resolved; the others are simply absent. */
  outcomes(narrativeIds: readonly string[], signal?: AbortSignal): Promise<ResolvedOutcome[]>;
}

/** An oracle status that ends a narrative, as an outcome; null while it is still running. */
export function outcomeOfStatus(status: string): Outcome | null {
  if (status === 'resolved_true') return 'true';
  if (status === 'resolved_false') return 'false';
  if (status === 'refund') return 'refund';
  return null;
}
