// What reports read back about a run (the demo's summary, backtests, status): a read model each store implements,
// so that reports never query a store's tables themselves.
import type { Calibration } from '../core/calibration.js';

export interface RunSummary {
  ticks: { ok: number; failed: number };
  narratives: number;
  snapshots: number;
  opinions: number;
  strategyErrors: number;
  decisions: { back: number; skip: number };
  stakedLamports: bigint;
  topSkipReasons: Array<{ reason: string; count: number }>;
  backs: Array<{ narrativeId: string; title: string; category: string; pTrue: number; edge: number; stakeLamports: bigint; at: string }>;
  apiCalls: { total: number; errors: number; rateLimited: number };
}

export interface PnlSummary {
  settled: number;
  won: number;
  lost: number;
  refunded: number;
  pnlLamports: bigint;
  openPositions: number;
  openLamports: bigint;
}

export interface RunReadModel {
  /** Counts of what the run saw and decided, the most common skip reasons, and the `limit` latest backings. */
  runSummary(limit?: number): RunSummary;
  /**
   * Each strategy's and the ensemble's calibration on narratives whose outcome is known: the last forecast each gave
   * while the narrative was still open for backing, scored against the outcome (refunds are left out).
   */
  calibrationByStrategy(): Record<string, Calibration>;
  /** Settled and open positions of the store's ledger. */
  pnlSummary(): PnlSummary;
}
