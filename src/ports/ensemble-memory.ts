// What the learning ensemble keeps across restarts (issue 17): forecasts sampled at decision times until their
// narrative settles, the settled ones it learns from, and the weights it last fitted (for `status` and reports).
// SQLite keeps them for the daemon (migration 0009); a backtest keeps them in memory (src/store/replay-store.ts).
import type { EnsembleWeightsView } from '../core/learned-ensemble.js';
import type { Outcome } from './store.js';

export interface ForecastSample {
  narrativeId: string;
  category: string;
  /** The decision time, ms since the epoch. */
  t: number;
  /** strategy → [pTrue, confidence], for the strategies that gave an opinion. */
  forecasts: Record<string, [number, number]>;
}

export interface SettledSample extends ForecastSample {
  outcome: boolean;
}

export interface EnsembleMemory {
  /** A forecast at a decision time, kept until its narrative settles. */
  addForecastSample(sample: ForecastSample): void;
  /** The narrative settled: its samples become training data (TRUE or FALSE) or are dropped (refund). */
  settleForecastSamples(narrativeId: string, outcome: Outcome): void;
  /** What a restart resumes from: the newest `limit` settled samples (oldest first) and every pending one. */
  loadForecastSamples(limit: number): { settled: SettledSample[]; pending: ForecastSample[] };
  saveEnsembleWeights(view: EnsembleWeightsView): void;
  ensembleWeights(): EnsembleWeightsView | null;
}
