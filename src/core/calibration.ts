// Calibration of forecasts against outcomes: the Brier score (mean squared error of the probability; 0 is perfect,
// 0.25 is always saying 0.5) and the log loss (ln 2 ≈ 0.693 for always 0.5) per strategy and for the ensemble, so an
// operator can see which strategy earns its weight; and the reliability diagram's bins (forecast against frequency).

export interface ScoredForecast {
  pTrue: number;
  outcome: boolean;
}

export interface Calibration {
  n: number;
  brier: number | null;
  /** The Brier score of always answering 0.5 on the same narratives: 0.25. */
  baseline: number | null;
  /** Share of narratives where the forecast was on the right side of 0.5. */
  hitRate: number | null;
  /** Mean negative log-likelihood of the outcomes (forecasts clipped to [LOG_LOSS_EPS, 1 − LOG_LOSS_EPS]). */
  logLoss?: number | null;
}

/** A forecast of exactly 0 or 1 that turns out wrong would score infinity: probabilities are clipped this far from 0 and 1. */
export const LOG_LOSS_EPS = 1e-4;

/** One bin of a reliability diagram: the forecasts that fell in [lo, hi), their mean, and how often the outcome was TRUE. */
export interface ReliabilityBin {
  lo: number;
  hi: number;
  n: number;
  meanForecast: number;
  frequency: number;
}

export function calibrate(forecasts: readonly ScoredForecast[]): Calibration {
  const usable = forecasts.filter((f) => Number.isFinite(f.pTrue));
  if (usable.length === 0) return { n: 0, brier: null, baseline: null, hitRate: null, logLoss: null };
  let sq = 0;
  let hits = 0;
  let ll = 0;
  for (const f of usable) {
    const o = f.outcome ? 1 : 0;
    sq += (f.pTrue - o) ** 2;
    const p = Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, f.pTrue));
    ll -= f.outcome ? Math.log(p) : Math.log(1 - p);
    if ((f.pTrue > 0.5) === f.outcome && f.pTrue !== 0.5) hits++;
  }
  return { n: usable.length, brier: sq / usable.length, baseline: 0.25, hitRate: hits / usable.length, logLoss: ll / usable.length };
}

/** Forecasts in `bins` equal bins over [0, 1] (1 falls in the last); empty bins are left out. */
export function reliabilityBins(forecasts: readonly ScoredForecast[], bins = 10): ReliabilityBin[] {
  const acc = Array.from({ length: bins }, () => ({ n: 0, sum: 0, trues: 0 }));
  for (const f of forecasts) {
    if (!Number.isFinite(f.pTrue)) continue;
    const b = acc[Math.min(bins - 1, Math.max(0, Math.floor(f.pTrue * bins)))]!;
    b.n++;
    b.sum += f.pTrue;
    if (f.outcome) b.trues++;
  }
  return acc.flatMap((b, i) => (b.n ? [{ lo: i / bins, hi: (i + 1) / bins, n: b.n, meanForecast: b.sum / b.n, frequency: b.trues / b.n }] : []));
}
