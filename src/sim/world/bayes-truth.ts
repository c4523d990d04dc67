// The Bayes-optimal probability that a narrative resolves TRUE given everything the world knows at a moment: the
// limit no forecast can beat on average, against which strategies are measured (`sim --truth`, `backtest --truth`).
// A price claim is decided by the world's own price process, so its probability has a closed form from the current
// price: each one-minute step adds N(−s²/2, s²) to the log price, so the log return to the deadline is exactly
// normal (close claims); a touch claim is true as soon as the level was reached since creation, and otherwise is a
// first passage of that random walk, monitored at each step (the continuous formula with the barrier moved out by
// 0.5826·s, Broadie & Glasserman's correction for discrete monitoring). Other claims are decided by a hidden
// probability drawn at creation: that is the world's own figure for them.
import { normalCdf, type MarketClaim } from './market-odds.js';
import type { PricePaths } from './price-paths.js';
import type { SimNarrative } from './world.js';

/** Broadie–Glasserman–Kou: a barrier watched at discrete steps acts like a continuous one moved out by β·s. */
const DISCRETE_MONITORING_BETA = 0.5825971579390106;

/** P(close beyond the level at step `steps` from a log distance `x` = ln(level/spot)), per-step volatility s. */
function closeBeyond(direction: 'above' | 'below', x: number, s: number, steps: number): number {
  if (steps <= 0) return direction === 'above' ? (x < 0 ? 1 : 0) : x > 0 ? 1 : 0;
  const mean = (-s * s * steps) / 2;
  const above = 1 - normalCdf((x - mean) / (s * Math.sqrt(steps)));
  return direction === 'above' ? above : 1 - above;
}

/**
 * P(a random walk with per-step drift m (toward the barrier) and volatility s reaches distance b > 0 within `steps`
 * steps, watched at each step).
 */
function touchWithin(b: number, m: number, s: number, steps: number): number {
  if (steps <= 0) return 0;
  const shifted = b + DISCRETE_MONITORING_BETA * s;
  const sd = s * Math.sqrt(steps);
  return normalCdf((-shifted + m * steps) / sd) + Math.exp((2 * m * shifted) / (s * s)) * normalCdf((-shifted - m * steps) / sd);
}

/** The Bayes-optimal P(TRUE) of a price claim at step `now`, given whether it was already touched. */
export function claimProbabilityAt(claim: MarketClaim, spot: number, stepSigma: number, stepsLeft: number, touched: boolean): number {
  const x = Math.log(claim.level / spot);
  if (claim.kind === 'close') return closeBeyond(claim.direction, x, stepSigma, stepsLeft);
  if (touched) return 1;
  const drift = -(stepSigma * stepSigma) / 2; // of the log price
  return claim.direction === 'above' ? touchWithin(x, drift, stepSigma, stepsLeft) : touchWithin(-x, -drift, stepSigma, stepsLeft);
}

/**
 * Bayes-optimal probabilities for the world's narratives as the world steps. Touch claims keep the running extremes
 * of their asset since creation (extended step by step, never rescanned), so a poll costs O(narratives).
 */
export class BayesTruth {
  private readonly extremes = new Map<string, { scanned: number; min: number; max: number }>();

  constructor(private readonly prices: PricePaths) {}

  probability(n: SimNarrative, at: number): number {
    const claim = n.market;
    if (!claim) return n.trueProbability;
    // Past the deadline the price path has decided it (the world set the outcome when it went pending).
    if (n.outcome === 'true' || n.outcome === 'false') return n.outcome === 'true' ? 1 : 0;
    const now = this.prices.stepOf(at);
    const end = this.prices.stepOf(n.deadline);
    const stepsLeft = Math.max(0, end - Math.min(now, end));
    const spot = this.prices.priceAtStep(claim.asset, now);
    let touched = false;
    if (claim.kind === 'touch') {
      const upTo = Math.min(now, end);
      let e = this.extremes.get(n.id);
      if (!e) this.extremes.set(n.id, (e = { scanned: this.prices.stepOf(n.createdAt) - 1, min: Infinity, max: -Infinity }));
      for (let i = e.scanned + 1; i <= upTo; i++) {
        const p = this.prices.priceAtStep(claim.asset, i);
        if (p < e.min) e.min = p;
        if (p > e.max) e.max = p;
      }
      e.scanned = Math.max(e.scanned, upTo);
      touched = claim.direction === 'above' ? e.max >= claim.level : e.min <= claim.level;
    }
    return claimProbabilityAt(claim, spot, this.prices.stepSigma(claim.asset), stepsLeft, touched);
  }

  /** A resolved narrative is never asked about again. */
  forget(id: string): void {
    this.extremes.delete(id);
  }
}
