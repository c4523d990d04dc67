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
});
