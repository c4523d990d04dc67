import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { strategyPriceView } from '../../../src/engine/strategy-price-view.js';
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
