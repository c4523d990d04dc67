import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTransport } from '../../src/http/transport.js';
import { SimPriceSource } from '../../src/prices/sim-price-source.js';
import { World } from '../../src/sim/world/world.js';
import { http, startSim, type TestSim } from './helpers.js';

let t: TestSim;
let transport: HttpTransport;
beforeAll(async () => {
  t = await startSim({ seed: 5 });
  transport = new HttpTransport({ baseUrl: t.base, timeoutMs: 5000 });
});
afterAll(async () => {
  await transport.close();
  await t.sim.stop();
});

describe('world prices', () => {
  it('serves current prices and 30 days of history through the price-source adapter', async () => {
    const source = new SimPriceSource(transport);
    const sol = await source.getPrice('SOL');
    expect(sol).toBeGreaterThan(100);
    expect(sol).toBeLessThan(400);
    const history = await source.getHistory('BTC', t.clock.now() - 720 * 3_600_000);
    expect(history.length).toBeGreaterThanOrEqual(720);
    expect(history.at(-1)!.t).toBeLessThanOrEqual(t.clock.now());
    t.clock.advance(3 * 3_600_000);
    expect(await source.getPrice('SOL')).not.toBe(sol);
    const both = await http(t.base, 'GET', '/__sim/prices?assets=SOL,BTC');
    expect(Object.keys(both.body.prices)).toEqual(['SOL', 'BTC']);
    expect((await http(t.base, 'GET', '/__sim/prices?assets=DOGE')).status).toBe(400);
  });

  it('is deterministic for a seed and moves with realistic volatility', () => {
    const start = Date.UTC(2026, 2, 1);
    const a = new World({ seed: 9, startMs: start });
    const b = new World({ seed: 9, startMs: start });
    a.advanceTo(start + 86_400_000);
    b.advanceTo(start + 86_400_000);
    expect(a.prices.history('SOL', start - 30 * 86_400_000, start + 86_400_000, 60_000)).toEqual(b.prices.history('SOL', start - 30 * 86_400_000, start + 86_400_000, 60_000));
    // Daily log-return std of SOL over 30 days should sit near 0.75/sqrt(365) ≈ 0.039.
    const daily = a.prices.history('SOL', start - 30 * 86_400_000, start, 86_400_000).map((p) => p[1]);
    const r = daily.slice(1).map((p, i) => Math.log(p / daily[i]!));
    const sd = Math.sqrt(r.reduce((s, x) => s + x * x, 0) / r.length);
    expect(sd).toBeGreaterThan(0.015);
    expect(sd).toBeLessThan(0.08);
  });

  it('resolves MARKET narratives from the price path at their deadline', () => {
    const start = Date.UTC(2026, 2, 1);
    const w = new World({ seed: 13, startMs: start, narrativesPerHour: 6 });
    w.advanceTo(start + 8 * 86_400_000);
    const market = w.narratives().filter((n) => n.market && n.resolvedAt !== null && n.outcome !== 'refund');
    expect(market.length).toBeGreaterThan(5);
    for (const n of market) {
      const c = n.market!;
      let truth: boolean;
      if (c.kind === 'close') {
        const close = w.prices.priceAt(c.asset, n.deadline);
        truth = c.direction === 'above' ? close > c.level : close < c.level;
      } else {
        const { min, max } = w.prices.extremes(c.asset, n.createdAt, n.deadline);
        truth = c.direction === 'above' ? max >= c.level : min <= c.level;
      }
      expect(n.status).toBe(truth ? 'resolved_true' : 'resolved_false');
      expect(n.title).toMatch(/^(\w+ closes (above|below) \$[\d.,]+ on \w+ \d+|Will \w+ be (over|under) [\d.,]+ USD at the end of \w+ \d+\?|\w+ trades (above|below) \$[\d.,]+ by \w+ \d+)$/);
    }
  });
});

describe('world cost', () => {
  it('steps 30 simulated days quickly (only unresolved narratives are touched per step)', () => {
    const start = Date.UTC(2026, 0, 1);
    const w = new World({ seed: 3, startMs: start });
    const t0 = performance.now();
    w.advanceTo(start + 30 * 86_400_000);
    expect(w.narratives().length).toBeGreaterThan(1000);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });
});
