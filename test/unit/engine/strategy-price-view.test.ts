import fc from 'fast-check';
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

/** A source over fixed minute points that never answers past the clock's now, noting each history fetch's start. */
function minuteSource(points: ReadonlyArray<{ t: number; price: number }>) {
  const clock = new ManualClock(0);
  const asked: number[] = [];
  const s: PriceSource = {
    async getPrice() { return 1; },
    async getHistory(_a, since) { asked.push(since); return points.filter((p) => p.t >= since && p.t <= clock.now()); },
  };
  return { clock, asked, view: strategyPriceView(s, clock, silentLogger(), 60_000) };
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
    const { clock, asked, view } = minuteSource(points);
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

  it('serves callers with different windows (a narrative\'s extremes since its creation, a moving lookback) from one series, fetched whole once, trimmed to what was asked', async () => {
    const points: Array<{ t: number; price: number }> = [];
    for (let i = 0; i < 3_000; i++) points.push({ t: i * 60_000, price: 100 + Math.sin(i / 50) * 10 });
    const { clock, asked, view } = minuteSource(points);
    const created = 100 * 60_000; // an old narrative, asked about until its creation leaves every caller
    let refreshedAt = -Infinity;
    for (let now = 400 * 60_000; now < 3_000 * 60_000; now += 10 * 60_000) {
      clock.set(now);
      if (now - refreshedAt >= 3_600_000) refreshedAt = now;
      const lookback = now - 300 * 60_000;
      const v = await view.volatility!('SOL', lookback);
      // the same figure as the lookback read whole at the last hourly refresh
      const expected = new PriceSeries(points.filter((p) => p.t >= lookback && p.t <= refreshedAt)).volatility(lookback, now);
      expect(v.points).toBe(expected.points);
      expect(v.sigma).toBeCloseTo(expected.sigma!, 12);
      if (now < 2_000 * 60_000) {
        const inWindow = points.filter((p) => p.t >= created && p.t <= now).map((p) => p.price);
        const e = await view.extremes!('SOL', created);
        // what the last hourly refresh held: every point up to it, none later
        expect(e!.min).toBeGreaterThanOrEqual(Math.min(...inWindow));
        expect(e!.max).toBeLessThanOrEqual(Math.max(...inWindow));
      }
    }
    // One whole fetch for the lookback, one further back for the extremes; every other from the last point held.
    const whole = asked.filter((since) => since === created || since === 100 * 60_000 || since === 400 * 60_000 - 300 * 60_000);
    expect(whole.length).toBeLessThanOrEqual(2);
    expect(asked.length - whole.length).toBeGreaterThan(30);
    // Once nobody asks about the old narrative, what it needed is dropped: asking again fetches it again.
    const before = asked.filter((since) => since === created).length;
    await view.extremes!('SOL', created);
    expect(asked.filter((since) => since === created).length).toBe(before + 1);
  });

  it('keeps running extremes per start time that equal a scan of the points, through appends and trims', () => {
    fc.assert(fc.property(fc.array(fc.record({ kind: fc.constantFrom('append' as const, 'ask' as const, 'trim' as const), x: fc.nat(50) }), { maxLength: 60 }), (ops) => {
      const held: Array<{ t: number; price: number }> = [{ t: 0, price: 10 }];
      const series = new PriceSeries(held);
      for (const o of ops) {
        if (o.kind === 'append') {
          const last = held[held.length - 1]!;
          const more = [last, ...Array.from({ length: o.x % 5 + 1 }, (_, i) => ({ t: last.t + (i + 1) * 10, price: 1 + ((o.x * 7 + i * 13) % 40) }))];
          expect(series.extend(more)).toBe(true);
          held.push(...more.slice(1));
        } else if (o.kind === 'trim') {
          const t = Math.min(o.x * 10, held[held.length - 1]!.t); // a refresh keeps at least the last point
          series.trimBefore(t);
          held.splice(0, held.filter((p) => p.t < t).length);
        } else {
          const since = o.x * 10;
          const window = held.filter((p) => p.t >= since).map((p) => p.price);
          const now = held.length ? held[held.length - 1]!.t + 5 : 0;
          expect(series.extremes(since, now)).toEqual(window.length ? { min: Math.min(...window), max: Math.max(...window) } : null);
        }
      }
    }), { numRuns: 200 });
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

describe('strategy price view over a source that holds its prices (a recording)', () => {
  it('takes the price at once, without a promise, and answers price() with it too', async () => {
    const clock = new ManualClock(10_000);
    const calls = { getPrice: 0 };
    let price = 100;
    const s: PriceSource = {
      async getPrice() { calls.getPrice++; return price; },
      async getHistory() { return []; },
      priceNow: (asset) => (asset === 'SOL' ? price : undefined),
    };
    const view = strategyPriceView(s, clock, silentLogger(), 60_000);
    expect(view.cachedPrice!('SOL')).toBe(100);
    price = 101;
    expect(view.cachedPrice!('SOL')).toBe(100); // held for maxAge of clock time, as price() holds it
    expect(await view.price('SOL')).toBe(100);
    clock.advance(60_000);
    expect(await view.price('SOL')).toBe(101);
    expect(calls.getPrice).toBe(0);
    // an asset it does not hold: asked the asynchronous way
    expect(view.cachedPrice!('BTC')).toBeUndefined();
    expect(await view.price('BTC')).toBe(101);
    expect(calls.getPrice).toBe(1);
  });

  it('refreshes history at once from historyNow, with the same answers as the asynchronous refresh', async () => {
    // Minute points over three days; two views of them, one whose source answers at once and one that must be asked.
    const points = Array.from({ length: 3 * 1440 }, (_, i) => ({ t: i * 60_000, price: 100 * Math.exp(Math.sin(i / 97) / 5 + Math.cos(i / 13) / 50) }));
    const upTo = (since: number, now: number) => points.filter((p) => p.t >= since && p.t <= now);
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ advance: fc.integer({ min: 0, max: 5 * 3_600_000 }), back: fc.integer({ min: 0, max: 2 * 86_400_000 }), extremes: fc.boolean() }), { minLength: 1, maxLength: 40 }),
      async (steps) => {
        const clock = new ManualClock(86_400_000);
        const asked = { sync: 0, async: 0 };
        const syncView = strategyPriceView({
          async getPrice() { return 1; },
          async getHistory() { throw new Error('not asked: the source answers at once'); },
          historyNow: (_a, since) => { asked.sync++; return upTo(since, clock.now()); },
        }, clock, silentLogger(), 60_000);
        const asyncView = strategyPriceView({
          async getPrice() { return 1; },
          async getHistory(_a, since) { asked.async++; return upTo(since, clock.now()); },
        }, clock, silentLogger(), 60_000);
        for (const step of steps) {
          clock.advance(step.advance);
          const since = Math.max(0, clock.now() - step.back);
          if (step.extremes) {
            const now = syncView.cachedExtremes!('SOL', since);
            expect(now).not.toBeUndefined();
            expect(now).toEqual(await asyncView.extremes!('SOL', since));
          } else {
            const now = syncView.cachedVolatility!('SOL', since);
            expect(now).not.toBeUndefined();
            expect(now).toEqual(await asyncView.volatility!('SOL', since));
          }
        }
        expect(asked.sync).toBe(asked.async); // the same refreshes, each one fetch
      },
    ), { numRuns: 60 });
  });

  it('two callers refreshing one asset at once get the same series, and the later one takes what the first one fetched', async () => {
    const points = Array.from({ length: 3 * 1440 }, (_, i) => ({ t: i * 60_000, price: 100 + Math.sin(i / 50) }));
    const clock = new ManualClock(86_400_000);
    const pending: Array<() => void> = [];
    let fetches = 0;
    const view = strategyPriceView({
      async getPrice() { return 1; },
      getHistory(_a, since) {
        fetches++;
        const answer = points.filter((p) => p.t >= since && p.t <= clock.now());
        return new Promise((resolve) => pending.push(() => resolve(answer)));
      },
    }, clock, silentLogger(), 60_000);
    const first = view.volatility!('SOL', 0);
    await Promise.resolve();
    expect(await (async () => { pending.shift()!(); return first; })()).toEqual({ sigma: expect.any(Number), points: 1441 });
    clock.advance(2 * 3_600_000); // stale: both refresh
    const a = view.volatility!('SOL', 0);
    const b = view.volatility!('SOL', 0);
    await Promise.resolve();
    while (pending.length) pending.shift()!();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra).toEqual(rb);
    expect(ra.points).toBe(1441 + 120);
    expect(fetches).toBe(3);
  });

  it('asks a source that answers history with nothing once, and holds no points for it', async () => {
    let calls = 0;
    const view = strategyPriceView({
      async getPrice() { return 1; },
      async getHistory() { calls++; return undefined as unknown as []; },
    }, new ManualClock(86_400_000), silentLogger(), 60_000);
    expect(await view.volatility!('SOL', 0)).toEqual({ sigma: null, points: 0 });
    expect(calls).toBe(1);
  });
});
