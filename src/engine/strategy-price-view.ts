// What strategies see of a price source: read-only, cached for prices.maxAgeSeconds of the clock's time, never a
// point later than the clock's now (so a backtest cannot look ahead), and null or [] instead of an exception when the
// source cannot answer (the strategy then declines, and one warning says why).
import { errorMessage } from '../core/errors.js';
import type { StrategyPriceSource } from '../core/strategy.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../ports/clock.js';
import type { PricePoint, PriceSource } from '../ports/price-source.js';

const HISTORY_REFRESH_MS = 60 * 60_000;

export function strategyPriceView(source: PriceSource, clock: Clock, logger: Logger, maxAgeMs: number, onPrice?: (asset: string, t: number, price: number) => void): StrategyPriceSource {
  const spot = new Map<string, { at: number; price: number | null }>();
  const history = new Map<string, { at: number; since: number; points: PricePoint[] }>();
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
      return cached.points.filter((p) => p.t >= sinceMs && p.t <= now);
    },
  };
}
