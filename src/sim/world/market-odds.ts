// The model probability of a MARKET claim under the world's own price process (zero-drift geometric Brownian
// motion): the world's hidden "true probability" for price narratives, which the crowd leans toward.

export interface MarketClaim {
  asset: string;
  /** close: the price at the deadline; touch: any time before the deadline. */
  kind: 'close' | 'touch';
  direction: 'above' | 'below';
  level: number;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 via erf; |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** P(max of a Brownian motion with drift m and volatility s over time T reaches b > 0). */
function hitProbability(b: number, m: number, s: number, T: number): number {
  const sd = s * Math.sqrt(T);
  return normalCdf((-b + m * T) / sd) + Math.exp((2 * m * b) / (s * s)) * normalCdf((-b - m * T) / sd);
}

export function claimProbability(claim: MarketClaim, spot: number, annualVol: number, years: number): number {
  if (years <= 0) return 0.5;
  const s = annualVol;
  const mu = -(s * s) / 2; // drift of log price
  const x = Math.log(claim.level / spot);
  let p: number;
  if (claim.kind === 'close') {
    const above = 1 - normalCdf((x - mu * years) / (s * Math.sqrt(years)));
    p = claim.direction === 'above' ? above : 1 - above;
  } else if (claim.direction === 'above') {
    p = x <= 0 ? 1 : hitProbability(x, mu, s, years);
  } else {
    p = x >= 0 ? 1 : hitProbability(-x, -mu, s, years);
  }
  return Math.min(0.995, Math.max(0.005, p));
}
