// Price paths per asset: geometric random walks with realistic annualised volatility, one value per world step
// (one minute), deterministic for the seed. They start 30 days before the world so strategies have history, and
// MARKET narratives resolve from them (close = price at the deadline; "by" = touched before the deadline).
import { Rng } from './rng.js';

export interface AssetSpec {
  /** Typical price around which a seed's path starts. */
  base: number;
  /** Annualised volatility of log returns. */
  vol: number;
  /** CoinGecko id, for adapters and docs. */
  coingeckoId: string;
}

export const ASSETS: Record<string, AssetSpec> = {
  SOL: { base: 230, vol: 0.75, coingeckoId: 'solana' },
  BTC: { base: 95_000, vol: 0.5, coingeckoId: 'bitcoin' },
  ETH: { base: 3_600, vol: 0.65, coingeckoId: 'ethereum' },
  JUP: { base: 1.1, vol: 1.0, coingeckoId: 'jupiter-exchange-solana' },
  BONK: { base: 0.00003, vol: 1.3, coingeckoId: 'bonk' },
};
export const ASSET_SYMBOLS = Object.keys(ASSETS);

export const MINUTES_PER_YEAR = 365 * 24 * 60;
export const PRICE_HISTORY_MS = 30 * 86_400_000;

export class PricePaths {
  readonly originMs: number;
  private readonly rng: Rng;
  private readonly series = new Map<string, number[]>();

  constructor(seed: number, startMs: number, private readonly stepMs: number) {
    // Its own generator, so narrative creation never shifts the paths (and vice versa).
    this.rng = new Rng((seed ^ 0x5eed_c0de) >>> 0);
    this.originMs = startMs - PRICE_HISTORY_MS;
    for (const symbol of ASSET_SYMBOLS) this.series.set(symbol, [ASSETS[symbol]!.base * this.rng.range(0.8, 1.25)]);
    this.advanceTo(startMs);
  }

  /** Extends every path to cover `ms`. */
  advanceTo(ms: number): void {
    const target = Math.floor((ms - this.originMs) / this.stepMs);
    const first = this.series.get(ASSET_SYMBOLS[0]!)!;
    while (first.length <= target) {
      for (const symbol of ASSET_SYMBOLS) {
        const s = this.series.get(symbol)!;
        const sigma = this.stepSigma(symbol);
        // Martingale in price: drift −σ²/2 in log space.
        s.push(s[s.length - 1]! * Math.exp(sigma * this.rng.normal() - (sigma * sigma) / 2));
      }
    }
  }

  /** The volatility of one step's log return (the paths draw each step from N(−σ²/2, σ²) with this σ). */
  stepSigma(asset: string): number {
    return ASSETS[asset]!.vol / Math.sqrt(MINUTES_PER_YEAR); // as advanceTo draws them
  }

  /** The step a moment falls in (priceAt reads that step's price). */
  stepOf(ms: number): number {
    return Math.floor((ms - this.originMs) / this.stepMs);
  }

  /** The price of a step already drawn. */
  priceAtStep(asset: string, step: number): number {
    const s = this.series.get(asset)!;
    return s[Math.max(0, Math.min(s.length - 1, step))]!;
  }

  has(asset: string): boolean {
    return this.series.has(asset);
  }

  private index(ms: number, s: number[]): number {
    return Math.max(0, Math.min(s.length - 1, Math.floor((ms - this.originMs) / this.stepMs)));
  }

  /** The price at `ms` (the last step at or before it). */
  priceAt(asset: string, ms: number): number {
    const s = this.series.get(asset);
    if (!s) throw new RangeError(`unknown asset ${asset}`);
    return s[this.index(ms, s)]!;
  }

  /** The price as quoted to clients: 8 significant digits, like a price API. */
  quoteAt(asset: string, ms: number): number {
    return Number(this.priceAt(asset, ms).toPrecision(8));
  }

  /** [ms, price] points from `fromMs` to `toMs`, every `everyMs`. */
  history(asset: string, fromMs: number, toMs: number, everyMs: number): Array<[number, number]> {
    const s = this.series.get(asset);
    if (!s) throw new RangeError(`unknown asset ${asset}`);
    const out: Array<[number, number]> = [];
    const stride = Math.max(1, Math.round(everyMs / this.stepMs));
    const last = this.index(toMs, s);
    for (let i = this.index(Math.max(fromMs, this.originMs), s); i <= last; i += stride) out.push([this.originMs + i * this.stepMs, Number(s[i]!.toPrecision(8))]);
    return out;
  }

  /** Lowest and highest price over [fromMs, toMs]. */
  extremes(asset: string, fromMs: number, toMs: number): { min: number; max: number } {
    const s = this.series.get(asset)!;
    let min = Infinity;
    let max = -Infinity;
    for (let i = this.index(fromMs, s), last = this.index(toMs, s); i <= last; i++) {
      min = Math.min(min, s[i]!);
      max = Math.max(max, s[i]!);
    }
    return { min, max };
  }
}
