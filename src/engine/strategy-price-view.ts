// What strategies see of a price source: read-only, cached for prices.maxAgeSeconds of the clock's time, never a
// point later than the clock's now (so a backtest cannot look ahead), and null or [] instead of an exception when the
// source cannot answer (the strategy then declines, and one warning says why). Every call takes the strategy's signal:
// a cancelled call rejects and leaves nothing cached.
import { errorMessage } from '../core/errors.js';
import type { StrategyPriceSource } from '../core/strategy.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../ports/clock.js';
import type { PricePoint, PriceSource } from '../ports/price-source.js';

const HISTORY_REFRESH_MS = 60 * 60_000;
const YEAR_MS = 365.25 * 86_400_000;
/** Start times whose running extremes a series keeps (one per touch narrative alive; cleared past it). */
const MAX_RUNNING_EXTREMES = 4_096;

/**
 * Price points with running sums of squared log returns and of time, so that the realised volatility over any
 * window is two binary searches and a subtraction (the same figure as realisedVolatility over those points). Points
 * are appended as later history arrives, so an hourly refresh costs what is new, not the whole lookback again.
 */
export class PriceSeries {
  private t = new Float64Array(64);
  private price = new Float64Array(64);
  private sumSq = new Float64Array(64);
  private span = new Float64Array(64);
  private count = new Uint32Array(64);
  private n = 0;
  /** Running extremes per start time (see `extremes`): the next index to read and what was seen before it. */
  private readonly running = new Map<number, { next: number; min: number; max: number }>();

  constructor(points: readonly PricePoint[] = []) {
    this.append(points.filter(usable).sort((a, b) => a.t - b.t));
  }

  get size(): number {
    return this.n;
  }

  get last(): PricePoint | null {
    return this.n ? { t: this.t[this.n - 1]!, price: this.price[this.n - 1]! } : null;
  }

  /** Appends points in time order, all at or after the last one (a caller checks: see `extend`). */
  private append(sorted: readonly PricePoint[]): void {
    this.reserve(this.n + sorted.length);
    for (const p of sorted) {
      const i = this.n++;
      this.t[i] = p.t;
      this.price[i] = p.price;
      if (i === 0) continue;
      const dt = p.t - this.t[i - 1]!;
      const r = dt > 0 ? Math.log(p.price / this.price[i - 1]!) : 0;
      this.sumSq[i] = this.sumSq[i - 1]! + (dt > 0 ? r * r : 0);
      this.span[i] = this.span[i - 1]! + (dt > 0 ? dt : 0);
      this.count[i] = this.count[i - 1]! + (dt > 0 ? 1 : 0);
    }
  }

  /**
   * Adds a later fetch of the history, given from this series' last point on: true when it continues this series
   * (its first points are this series' last one, unchanged), false when it does not (the caller starts afresh).
   */
  extend(points: readonly PricePoint[]): boolean {
    const last = this.last;
    if (!last) return false;
    const fresh = points.filter(usable);
    let k = 0;
    while (k < fresh.length && fresh[k]!.t <= last.t) {
      if (fresh[k]!.t === last.t && fresh[k]!.price !== last.price) return false;
      k++;
    }
    if (k === 0 || fresh[k - 1]!.t !== last.t) return false;
    const later = fresh.slice(k);
    for (let j = 1; j < later.length; j++) if (later[j]!.t < later[j - 1]!.t) return false;
    this.append(later);
    return true;
  }

  /** Index of the first point at or after t. */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.t[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  points(sinceMs: number, untilMs: number): PricePoint[] {
    const out: PricePoint[] = [];
    for (let i = this.lowerBound(sinceMs); i < this.n && this.t[i]! <= untilMs; i++) out.push({ t: this.t[i]!, price: this.price[i]! });
    return out;
  }

  /**
   * The lowest and highest price from `sinceMs` up to `untilMs` (null: no points there). Asked up to the last point
   * or later (what a strategy asks: now), the answer per `sinceMs` is kept and only the points appended since are read.
   */
  extremes(sinceMs: number, untilMs: number): { min: number; max: number } | null {
    if (this.n > 0 && untilMs >= this.t[this.n - 1]!) {
      let c = this.running.get(sinceMs);
      if (!c) {
        if (this.running.size >= MAX_RUNNING_EXTREMES) this.running.clear();
        this.running.set(sinceMs, (c = { next: this.lowerBound(sinceMs), min: Infinity, max: -Infinity }));
      }
      for (; c.next < this.n; c.next++) {
        if (this.t[c.next]! < sinceMs) continue; // appended after a start later than every point then held
        const p = this.price[c.next]!;
        if (p < c.min) c.min = p;
        if (p > c.max) c.max = p;
      }
      return c.min <= c.max ? { min: c.min, max: c.max } : null;
    }
    let min = Infinity;
    let max = -Infinity;
    for (let i = this.lowerBound(sinceMs); i < this.n && this.t[i]! <= untilMs; i++) {
      const p = this.price[i]!;
      if (p < min) min = p;
      if (p > max) max = p;
    }
    return min <= max ? { min, max } : null;
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

  /** Drops the points before `t` (the running sums stay valid: every window reads a difference of two of them). */
  trimBefore(t: number): void {
    const k = this.lowerBound(t);
    if (k === 0) return;
    this.running.clear();
    for (const a of [this.t, this.price, this.sumSq, this.span, this.count]) a.copyWithin(0, k, this.n);
    this.n -= k;
    if (this.n < this.t.length / 2) this.resize(this.n + (this.n >> 3) + 64); // a window that shrank gives memory back
  }

  /**
   * Room for `size` points, grown by an eighth (not doubled): a 30-day lookback of minute points is 43,200 of them,
   * and doubling past that held another 1.5 MB per asset for nothing.
   */
  private reserve(size: number): void {
    if (size <= this.t.length) return;
    this.resize(Math.max(size, this.t.length + (this.t.length >> 3) + 64));
  }

  private resize(capacity: number): void {
    const to = <T extends Float64Array | Uint32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(capacity);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.t = to(this.t);
    this.price = to(this.price);
    this.sumSq = to(this.sumSq);
    this.span = to(this.span);
    this.count = to(this.count);
  }
}

function usable(p: PricePoint): boolean {
  return Number.isFinite(p.price) && p.price > 0 && Number.isFinite(p.t);
}

/** Per asset: the series, when it was fetched, how far back it holds, and the oldest time asked for in this and the previous refresh period. */
interface Cached {
  at: number;
  since: number;
  series: PriceSeries;
  askedBefore: number;
  askedNow: number;
}

export function strategyPriceView(source: PriceSource, clock: Clock, logger: Logger, maxAgeMs: number, onPrice?: (asset: string, t: number, price: number) => void): StrategyPriceSource {
  const spot = new Map<string, { at: number; price: number | null }>();
  /** Per asset: the series, when it was fetched, how far back it holds, and the oldest time asked for in this and the previous refresh period. */
  const history = new Map<string, Cached>();
  const warned = new Set<string>();
  const warn = (asset: string, what: string, err: unknown) => {
    const key = `${asset}:${what}`;
    if (warned.has(key)) return;
    warned.add(key);
    logger.warn('prices.unavailable', { asset, what, msg: errorMessage(err) });
  };

  /** A price the source gave: the warning about it (if any) is over, and whoever follows prices hears of it. */
  const got = (asset: string, now: number, price: number) => {
    warned.delete(`${asset}:price`);
    onPrice?.(asset, now, price);
    return price;
  };

  /** The price held for maxAge of clock time, or one the source has at once (a recording); undefined: ask the source. */
  const cachedPrice = (asset: string): number | null | undefined => {
    const now = clock.now();
    const cached = spot.get(asset);
    if (cached && now - cached.at < maxAgeMs) return cached.price;
    const price = source.priceNow?.(asset);
    if (price === undefined) return undefined;
    spot.set(asset, { at: now, price: got(asset, now, price) });
    return price;
  };

  return {
    async price(asset, signal) {
      const now = clock.now();
      const held = cachedPrice(asset);
      if (held !== undefined) return held;
      let price: number | null = null;
      try {
        price = got(asset, now, await source.getPrice(asset, signal));
      } catch (err) {
        // cancelled (the strategy's time is up, or shutdown): nothing learnt about the source, nothing remembered
        if (signal?.aborted) throw err;
        warn(asset, 'price', err);
      }
      spot.set(asset, { at: now, price });
      return price;
    },
    async history(asset, sinceMs, signal) {
      const now = clock.now();
      return (await cachedHistory(asset, sinceMs, now, signal)).series.points(sinceMs, now);
    },
    async volatility(asset, sinceMs, signal) {
      const now = clock.now();
      return (await cachedHistory(asset, sinceMs, now, signal)).series.volatility(sinceMs, now);
    },
    async extremes(asset, sinceMs, signal) {
      const now = clock.now();
      return (await cachedHistory(asset, sinceMs, now, signal)).series.extremes(sinceMs, now);
    },
    cachedPrice,
    cachedVolatility(asset, sinceMs) {
      const now = clock.now();
      return heldHistory(asset, sinceMs, now)?.series.volatility(sinceMs, now);
    },
    cachedExtremes(asset, sinceMs) {
      const now = clock.now();
      const held = heldHistory(asset, sinceMs, now);
      return held ? held.series.extremes(sinceMs, now) : undefined;
    },
  };

  /**
   * The asset's history if what is held answers `sinceMs` now, or once refreshed from a source that answers at once
   * (historyNow: a recording); undefined when the source would have to be asked (cachedHistory does that).
   */
  function heldHistory(asset: string, sinceMs: number, now: number): Cached | undefined {
    const cached = history.get(asset);
    if (cached) cached.askedNow = Math.min(cached.askedNow, sinceMs); // asked, as cachedHistory counts it (what a trim keeps)
    if (cached && now - cached.at < HISTORY_REFRESH_MS && sinceMs >= cached.since) return cached;
    if (!source.historyNow) return undefined;
    return refresh(asset, sinceMs, now, (from) => source.historyNow!(asset, from));
  }

  /**
   * The asset's history since `sinceMs`, fetched again every HISTORY_REFRESH_MS of the clock from the last point held
   * (the common case), or from `sinceMs` when a caller asks further back than what is held. Callers ask from different
   * times (a volatility lookback, a narrative's creation for its extremes): the series holds back to the oldest of them
   * and, at each refresh, drops what no caller asked for over the last two refresh periods, so memory stays bounded in
   * a daemon that runs for months and no caller's window makes another's fetch the whole lookback again. A cancelled
   * call (the strategy's signal) rejects and changes nothing.
   */
  async function cachedHistory(asset: string, sinceMs: number, now: number, signal?: AbortSignal): Promise<Cached> {
    // The same steps as a refresh from a source that answers at once, each fetch awaited (and what another caller
    // refreshed meanwhile is taken as it is).
    const fetched = new Map<number, PricePoint[]>();
    for (;;) {
      const held = heldHistory(asset, sinceMs, now);
      if (held) return held;
      let need: number | null = null;
      const done = refresh(asset, sinceMs, now, (from) => {
        if (!fetched.has(from)) {
          need = from;
          return undefined;
        }
        return fetched.get(from) ?? []; // a source that answered nothing: no points (each start is asked once)
      });
      if (done) return done;
      try {
        fetched.set(need!, await source.getHistory(asset, need!, signal));
      } catch (err) {
        if (signal?.aborted) throw err;
        return failed(asset, sinceMs, now, err);
      }
    }
  }

  /**
   * One refresh of the asset's history: extends what is held from its last point, or (asked further back, or the new
   * points do not join the old) starts again from `sinceMs`. `fetch` answers at once or returns undefined; then
   * nothing changes and undefined is returned (the caller fetches and tries again).
   */
  function refresh(asset: string, sinceMs: number, now: number, fetch: (from: number) => PricePoint[] | undefined): Cached | undefined {
    let cached = history.get(asset);
    let points: PricePoint[] | undefined;
    try {
      const last = cached && sinceMs >= cached.since ? cached.series.last : null;
      if (cached && last && (points = fetch(last.t)) === undefined) return undefined;
      if (cached && last && cached.series.extend(points!)) {
        cached.at = now;
        const keep = Math.min(cached.askedBefore, cached.askedNow);
        if (keep > cached.since) {
          cached.series.trimBefore(keep);
          cached.since = keep;
        }
        cached.askedBefore = cached.askedNow;
        cached.askedNow = Infinity;
      } else {
        if ((points = fetch(sinceMs)) === undefined) return undefined;
        cached = { at: now, since: sinceMs, series: new PriceSeries(points), askedBefore: sinceMs, askedNow: Infinity };
      }
    } catch (err) {
      return failed(asset, sinceMs, now, err);
    }
    history.set(asset, cached);
    return cached;
  }

  /** A refresh that failed: remembered for a while too, so a source that is down does not slow every tick. */
  function failed(asset: string, sinceMs: number, now: number, err: unknown): Cached {
    warn(asset, 'history', err);
    const cached = history.get(asset);
    const next: Cached = {
      at: now - HISTORY_REFRESH_MS + maxAgeMs, since: cached?.since ?? sinceMs, series: cached?.series ?? new PriceSeries(),
      askedBefore: cached?.askedBefore ?? sinceMs, askedNow: cached?.askedNow ?? Infinity,
    };
    history.set(asset, next);
    return next;
  }
}
