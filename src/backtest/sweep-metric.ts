// The figures a sweep ranks its settings by, read from a run's metrics. P&L is per day, so that windows of different
// lengths (a walk-forward's growing in-sample windows and its out-of-sample folds) compare.
import { lamportsToSol } from '../core/money.js';
import type { RunMetrics } from './run-backtest.js';

export const SWEEP_METRICS = ['pnl', 'hit-rate', 'brier', 'logloss'] as const;
export type SweepMetric = (typeof SWEEP_METRICS)[number];

export const METRIC_INFO: Record<SweepMetric, { label: string; higherIsBetter: boolean; decimals: number }> = {
  pnl: { label: 'realised P&L per day (SOL)', higherIsBetter: true, decimals: 4 },
  'hit-rate': { label: 'share of settled backings won', higherIsBetter: true, decimals: 3 },
  brier: { label: 'ensemble Brier score', higherIsBetter: false, decimals: 4 },
  logloss: { label: 'ensemble log loss', higherIsBetter: false, decimals: 4 },
};

/** Won out of won + lost: how often a settled backing paid (null when none settled TRUE or FALSE). */
export function hitRateOf(p: { won: number; lost: number }): number | null {
  return p.won + p.lost > 0 ? p.won / (p.won + p.lost) : null;
}

/** The metric's value for a run, or null when the run gives none (no days, nothing settled or scored). */
export function metricValue(metric: SweepMetric, m: RunMetrics): number | null {
  switch (metric) {
    case 'pnl':
      return m.days > 0 ? lamportsToSol(m.pnlLamports) / m.days : null;
    case 'hit-rate':
      return hitRateOf(m);
    case 'brier':
      return m.brier;
    case 'logloss':
      return m.logLoss;
  }
}

/** Sorts best first; a missing value sorts last. */
export function compareMetric(metric: SweepMetric, a: number | null, b: number | null): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  return METRIC_INFO[metric].higherIsBetter ? b - a : a - b;
}
