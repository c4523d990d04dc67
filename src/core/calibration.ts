// Calibration of forecasts against outcomes: the Brier score (mean squared error of the probability; 0 is perfect,
// 0.25 is always saying 0.5) per strategy and for the ensemble, so an operator can see which strategy earns its weight.

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
}

export function calibrate(forecasts: readonly ScoredForecast[]): Calibration {
  const usable = forecasts.filter((f) => Number.isFinite(f.pTrue));
  if (usable.length === 0) return { n: 0, brier: null, baseline: null, hitRate: null };
  let sq = 0;
  let hits = 0;
  for (const f of usable) {
    const o = f.outcome ? 1 : 0;
    sq += (f.pTrue - o) ** 2;
    if ((f.pTrue > 0.5) === f.outcome && f.pTrue !== 0.5) hits++;
  }
  return { n: usable.length, brier: sq / usable.length, baseline: 0.25, hitRate: hits / usable.length };
}
