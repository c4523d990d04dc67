import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { PriceSeries, strategyPriceView } from '../../../src/engine/strategy-price-view.js';
import { realisedVolatility } from '../../../src/core/price-model.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { PriceSource } from '../../../src/ports/price-source.js';

function source(fail = false) {
  const calls = { price: 0, history: 0 };
  const s: PriceSource = {
    async getPrice() { calls.price++; if (fail) throw new Error('down'); return 100 + calls.price; },
    async getHistory(_a, since) { calls.history++; if (fail) throw new Error('down'); return [{ t: since, price: 1 }, { t: 5_000, price: 2 }, { t: 9_000_000, price: 3 }]; },
  };
  return { s, calls };
}

describe('strategy price view', () => {
  it('caches prices for maxAge of clock time and never returns a point later than now', async () => {
    const clock = new ManualClock(10_000);
    const { s, calls } = source();
    const view = strategyPriceView(s, clock, silentLogger(), 60_000);
    expect(await view.price('SOL')).toBe(101);
    expect(await view.price('SOL')).toBe(101);
    clock.advance(60_000);
    expect(await view.price('SOL')).toBe(102);
    expect(calls.price).toBe(2);
    expect((await view.history('SOL', 0)).map((p) => p.price)).toEqual([1, 2]); // the 9_000_000 point is in the future
  });

  it('answers null / [] when the source is down, and does not ask again on every call', async () => {
    const clock = new ManualClock(10_000);
    const { s, calls } = source(true);
    const view = strategyPriceView(s, clock, silentLogger(), 60_000);
    expect(await view.price('SOL')).toBeNull();
    expect(await view.history('SOL', 0)).toEqual([]);
    expect(await view.price('SOL')).toBeNull();
    expect(await view.history('SOL', 0)).toEqual([]);
    expect(calls).toEqual({ price: 1, history: 1 });
    clock.advance(61_000);
    await view.history('SOL', 0);
    expect(calls.history).toBe(2);
  });

  it('refreshes the history from its last point on, with the same volatility as reading the whole lookback again', async () => {
    const points: Array<{ t: number; price: number }> = [];
    let price = 100;
    for (let i = 0; i < 600; i++) points.push({ t: i * 60_000, price: (price *= Math.exp(Math.sin(i * 7.1) * 0.01)) });
    const clock = new ManualClock(0);
    const asked: number[] = [];
    const s: PriceSource = {
      async getPrice() { return 1; },
      async getHistory(_a, since) { asked.push(since); return points.filter((p) => p.t >= since && p.t <= clock.now()); },
    };
    const view = strategyPriceView(s, clock, silentLogger(), 60_000);
    let refreshedAt = -Infinity;
    for (let now = 120 * 60_000; now < 600 * 60_000; now += 17 * 60_000) {
      clock.set(now);
      if (now - refreshedAt >= 3_600_000) refreshedAt = now;
      // What the whole lookback read afresh at the last hourly refresh gives: exactly the same figure.
      const expected = new PriceSeries(points.filter((p) => p.t <= refreshedAt)).volatility(0, now);
      expect(await view.volatility!('SOL', 0)).toEqual(expected);
    }
    // The first read asked for the whole lookback, every later one from the last point it held.
    expect(asked[0]).toBe(0);
    expect(asked.slice(1).every((since) => since > 0)).toBe(true);
    // And the figure equals realisedVolatility over the points it holds.
    const held = await view.history('SOL', 0);
    const fresh = new PriceSeries(held).volatility(0, clock.now());
    expect((await view.volatility!('SOL', 0)).sigma).toBe(fresh.sigma);
    expect(fresh.sigma).toBeCloseTo(realisedVolatility(held)!, 12);
  });

  it('starts afresh when a later fetch does not continue what it holds (the source rewrote its history)', () => {
    const series = new PriceSeries([{ t: 0, price: 1 }, { t: 10, price: 2 }]);
    expect(series.extend([{ t: 10, price: 2 }, { t: 20, price: 4 }])).toBe(true);
    expect(series.size).toBe(3);
    expect(series.extend([{ t: 20, price: 5 }, { t: 30, price: 4 }])).toBe(false); // the last point changed
    expect(series.extend([{ t: 25, price: 5 }])).toBe(false); // it does not reach back to the last point
    expect(series.size).toBe(3);
  });

  it('hands the strategy\'s signal to the source: a cancelled call rejects and is not remembered as missing', async () => {
    const clock = new ManualClock(10_000);
    const seen: Array<AbortSignal | undefined> = [];
    let calls = 0;
    const s: PriceSource = {
      getPrice: (_asset, signal) => {
        seen.push(signal);
        calls++;
        return new Promise<number>((resolve, reject) => {
          if (calls > 1) resolve(120);
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      },
      getHistory: async (_asset, _since, signal) => { seen.push(signal); return []; },
    };
    const view = strategyPriceView(s, clock, silentLogger(), 60_000);
    const controller = new AbortController();
    const pending = view.price('SOL', controller.signal);
    controller.abort(new Error('timed out'));
    await expect(pending).rejects.toThrow('timed out');
    expect(await view.price('SOL')).toBe(120); // asked again: the cancelled call left no null behind
    await view.volatility!('SOL', 0, controller.signal);
    expect(seen[0]).toBe(controller.signal);
    expect(seen[2]).toBe(controller.signal);
  });
});
