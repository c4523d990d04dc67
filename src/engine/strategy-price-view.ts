// What strategies see of a price source: read-only, cached for prices.maxAgeSeconds of the clock's time, never a
// point later than the clock's now (so a backtest cannot look ahead), and null or [] instead of an exception when the
// source cannot answer (the strategy then declines, and one warning says why).
import { errorMessage } from '../core/errors.js';
import type { StrategyPriceSource } from '../core/strategy.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../ports/clock.js';
import type { PricePoint, PriceSource } from '../ports/price-source.js';

const HISTORY_REFRESH_MS = 60 * 60_000;
const YEAR_MS = 365.25 * 86_400_000;

/**
 * Price points with running sums of squared log returns and of time, so that the realised volatility over any
 * window is two binary searches and a subtraction (the same figure as realisedVolatility over those points).
 */
class PriceSeries {
  readonly t: Float64Array;
  private readonly price: Float64Array;
  private readonly sumSq: Float64Array;
  private readonly span: Float64Array;
  private readonly count: Uint32Array;

  constructor(readonly points: readonly PricePoint[]) {
    const sorted = points.filter((p) => Number.isFinite(p.price) && p.price > 0 && Number.isFinite(p.t)).sort((a, b) => a.t - b.t);
    const n = sorted.length;
    this.t = new Float64Array(n);
    this.price = new Float64Array(n);
    this.sumSq = new Float64Array(n);
    this.span = new Float64Array(n);
    this.count = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      this.t[i] = sorted[i]!.t;
      this.price[i] = sorted[i]!.price;
      if (i === 0) continue;
      const dt = sorted[i]!.t - sorted[i - 1]!.t;
      const r = dt > 0 ? Math.log(sorted[i]!.price / sorted[i - 1]!.price) : 0;
      this.sumSq[i] = this.sumSq[i - 1]! + (dt > 0 ? r * r : 0);
      this.span[i] = this.span[i - 1]! + (dt > 0 ? dt : 0);
      this.count[i] = this.count[i - 1]! + (dt > 0 ? 1 : 0);
    }
  }

  /** Index of the first point at or after t. */
  private lowerBound(t: number): number {
    let lo = 0;
    let hi = this.t.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.t[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  extremes(sinceMs: number, nowMs: number): { min: number; max: number } | null {
    const a = this.lowerBound(sinceMs);
    const b = this.lowerBound(nowMs + 1);
    if (b <= a) return null;
    let min = Infinity;
    let max = -Infinity;
    for (let i = a; i < b; i++) {
      const p = this.price[i]!;
      if (p < min) min = p;
      if (p > max) max = p;
    }
    return { min, max };
  }

  volatility(sinceMs: number, nowMs: number): { sigma: number | null; points: number } {
    const a = this.lowerBound(sinceMs);
    const b = this.lowerBound(nowMs + 1) - 1;
    const points = Math.max(0, b - a + 1);
    if (points < 3) return { sigma: null, points };
    const n = this.count[b]! - this.count[a]!;
    const span = this.span[b]! - this.span[a]!;
    if (n < 2 || span <= 0) return { sigma: null, points };
    return { sigma: Math.sqrt((Math.max(0, this.sumSq[b]! - this.sumSq[a]!) / span) * YEAR_MS), points };
  }
}

export function strategyPriceView(source: PriceSource, clock: Clock, logger: Logger, maxAgeMs: number, onPrice?: (asset: string, t: number, price: number) => void): StrategyPriceSource {
  const spot = new Map<string, { at: number; price: number | null }>();
  const history = new Map<string, { at: number; since: number; points: PricePoint[]; series?: PriceSeries }>();
  const warned = new Set<string>();
  const warn = (asset: string, what: string, err: unknown) => {
    const key = `${asset}:${what}`;
    if (warned.has(key)) return;
    warned.add(key);
    logger.warn('prices.unavailable', { asset, what, msg: errorMessage(err) });
  };

  return {
    async price(asset) {
      const now = clock.now();
      const cached = spot.get(asset);
      if (cached && now - cached.at < maxAgeMs) return cached.price;
      let price: number | null = null;
      try {
        price = await source.getPrice(asset);
        warned.delete(`${asset}:price`);
        onPrice?.(asset, now, price);
      } catch (err) {
        warn(asset, 'price', err);
      }
      spot.set(asset, { at: now, price });
      return price;
    },
    async history(asset, sinceMs) {
      const now = clock.now();
      return (await cachedHistory(asset, sinceMs, now)).points.filter((p) => p.t >= sinceMs && p.t <= now);
    },
    async volatility(asset, sinceMs) {
      const now = clock.now();
      const cached = await cachedHistory(asset, sinceMs, now);
      cached.series ??= new PriceSeries(cached.points);
      return cached.series.volatility(sinceMs, now);
    },
    async extremes(asset, sinceMs) {
      const now = clock.now();
      const cached = await cachedHistory(asset, sinceMs, now);
      cached.series ??= new PriceSeries(cached.points);
      return cached.series.extremes(sinceMs, now);
    },
  };

  async function cachedHistory(asset: string, sinceMs: number, now: number) {
    let cached = history.get(asset);
    if (!cached || now - cached.at >= HISTORY_REFRESH_MS || sinceMs < cached.since) {
      try {
        cached = { at: now, since: sinceMs, points: await source.getHistory(asset, sinceMs) };
      } catch (err) {
        warn(asset, 'history', err);
        // remember the failure for a while too, so a source that is down does not slow every tick
        cached = { at: now - HISTORY_REFRESH_MS + maxAgeMs, since: sinceMs, points: cached?.points ?? [] };
      }
      history.set(asset, cached);
    }
    return cached;
  }
}
