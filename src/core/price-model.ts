// Probability that a price ends beyond a level (close) or crosses it before a deadline (touch), under a driftless
// lognormal model with volatility from realised returns. The model's assumptions: log returns are independent and
// normal with constant volatility; no drift. It is best over days, weaker over months (fat tails, regime changes).

const YEAR_MS = 365.25 * 86_400_000;

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 via erf; error < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export interface PricePoint {
  /** ms since epoch */
  t: number;
  price: number;
}

/** Annualised volatility from a price series (any spacing), or null with fewer than 3 usable points. */
export function realisedVolatility(points: readonly PricePoint[]): number | null {
  const sorted = points.filter((p) => Number.isFinite(p.price) && p.price > 0 && Number.isFinite(p.t)).sort((a, b) => a.t - b.t);
  let sumSq = 0;
  let span = 0;
  let n = 0;
  for (let i = 1; i < sorted.length; i++) {
    const dt = sorted[i]!.t - sorted[i - 1]!.t;
    if (dt <= 0) continue;
    const r = Math.log(sorted[i]!.price / sorted[i - 1]!.price);
    sumSq += r * r;
    span += dt;
    n++;
  }
  if (n < 2 || span <= 0) return null;
  return Math.sqrt((sumSq / span) * YEAR_MS);
}

/** P(price at the deadline is beyond the level). */
export function probabilityClose(spot: number, level: number, direction: 'above' | 'below', sigma: number, horizonMs: number): number {
  if (horizonMs <= 0 || sigma <= 0) return direction === 'above' ? (spot > level ? 1 : 0) : spot < level ? 1 : 0;
  const s = sigma * Math.sqrt(horizonMs / YEAR_MS);
  // driftless price: E[S_T] = S_0, so ln S_T ~ N(ln S_0 − s²/2, s²)
  const d = (Math.log(spot / level) - (s * s) / 2) / s;
  return direction === 'above' ? normalCdf(d) : 1 - normalCdf(d);
}

/**
 * P(the price crosses the level at any time before the deadline): first passage of a Brownian motion with drift
 * (the log price, drift −σ²/2 as in probabilityClose, so the two agree) through a barrier.
 */
export function probabilityTouch(spot: number, level: number, direction: 'above' | 'below', sigma: number, horizonMs: number): number {
  if (direction === 'above' ? spot >= level : spot <= level) return 1;
  if (horizonMs <= 0 || sigma <= 0) return 0;
  const years = horizonMs / YEAR_MS;
  const sd = sigma * Math.sqrt(years);
  // Work with the distance to the barrier b > 0 and the drift ν toward it.
  const b = Math.abs(Math.log(level / spot));
  const nu = direction === 'above' ? -(sigma * sigma) / 2 : (sigma * sigma) / 2;
  const p = normalCdf((nu * years - b) / sd) + Math.exp((2 * nu * b) / (sigma * sigma)) * normalCdf((-b - nu * years) / sd);
  return Math.min(1, Math.max(0, p));
}
