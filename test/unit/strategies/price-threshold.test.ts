import { describe, expect, it } from 'vitest';
import { rationaleOf, type Opinion } from '../../../src/core/strategy.js';
import priceThreshold from '../../../strategies/price-threshold.js';
import type { StrategyPriceSource } from 'magma-agent/strategy';
import { narrative } from '../../helpers/narratives.js';
import { strategyContext } from '../../helpers/strategy-context.js';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { strategyPriceView } from '../../../src/engine/strategy-price-view.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { PriceSource } from '../../../src/ports/price-source.js';

const NOW = Date.parse('2026-05-20T12:00:00Z');
const HOUR = 3_600_000;

function source(spot: number, volatilityPerHour = 0.01): StrategyPriceSource & { historyCalls: number[] } {
  const calls: number[] = [];
  return {
    historyCalls: calls,
    async price(asset) { return asset === 'SOL' ? spot : null; },
    async history(asset, since) {
      calls.push(since);
      if (asset !== 'SOL') return [];
      // alternating ±1% hourly moves: realised volatility ≈ 1%/√h
      return Array.from({ length: 24 * 30 }, (_, i) => ({ t: NOW - (24 * 30 - i) * HOUR, price: spot * (i % 2 ? 1 + volatilityPerHour : 1) }));
    },
  };
}

const ctx = (prices?: StrategyPriceSource, options = {}, signal?: AbortSignal) => strategyContext({ now: NOW, options, sources: prices ? { prices } : {}, ...(signal ? { signal } : {}) });

describe('price-threshold strategy', () => {
  it('gives a high probability when the level is far below the price at a near deadline', async () => {
    const o = await priceThreshold.evaluate(narrative({ thesis: 'Will SOL close above $150 on 2026-05-22 per CoinGecko?' }), ctx(source(230)));
    expect(o!.pTrue).toBeGreaterThan(0.95);
    expect(o!.confidence).toBeGreaterThan(0.8);
    expect(o!.rationale).toBeUndefined(); // written only when the agent keeps it
    expect(rationaleOf(o!)).toMatch(/SOL at 230 vs close above 150/);
  });

  it('gives a low probability for a far level, higher for touch than for close', async () => {
    const close = await priceThreshold.evaluate(narrative({ thesis: 'Will SOL close above $300 on 2026-06-10?' }), ctx(source(230)));
    const touch = await priceThreshold.evaluate(narrative({ thesis: 'Will SOL trade above $300 at any time before 2026-06-10?' }), ctx(source(230)));
    expect(close!.pTrue).toBeLessThan(0.3);
    expect(touch!.pTrue).toBeGreaterThan(close!.pTrue);
  });

  it('reads history only from the lookback window up to now', async () => {
    const prices = source(230);
    await priceThreshold.evaluate(narrative({ thesis: 'SOL closes above $250 on June 1' }), ctx(prices, { lookbackDays: 10 }));
    expect(prices.historyCalls).toEqual([NOW - 10 * 24 * HOUR]);
  });

  it('declines what it cannot use: no price source, unparseable thesis, unknown asset, past deadline', async () => {
    const n = narrative({ thesis: 'SOL closes above $250 on June 1', title: 'x' });
    expect(await priceThreshold.evaluate(n, ctx())).toBeNull();
    expect(await priceThreshold.evaluate(narrative({ thesis: 'Lakers win on Friday', title: 'Lakers win' }), ctx(source(230)))).toBeNull();
    expect(await priceThreshold.evaluate(narrative({ thesis: 'BTC closes above $90k on June 1', title: 'x' }), ctx(source(230)))).toBeNull();
    expect(await priceThreshold.evaluate(narrative({ thesis: 'SOL closes above $250 on 2026-05-19', title: 'x' }), ctx(source(230)))).toBeNull();
  });

  it('falls back to the title when the thesis says nothing it can read', async () => {
    const o = await priceThreshold.evaluate(narrative({ title: 'SOL closes above $250 on June 1', thesis: 'See title.' }), ctx(source(230)));
    expect(o).not.toBeNull();
  });

  it('passes its signal to every price call, so a timeout or shutdown cancels them', async () => {
    const seen: Array<AbortSignal | undefined> = [];
    const prices: StrategyPriceSource = {
      async price(_asset, signal) { seen.push(signal); return 230; },
      async history(_asset, _since, signal) { seen.push(signal); return []; },
      async volatility(_asset, _since, signal) { seen.push(signal); return { sigma: 0.5, points: 100 }; },
    };
    const signal = new AbortController().signal;
    await priceThreshold.evaluate(narrative({ thesis: 'SOL closes above $250 on June 1' }), ctx(prices, {}, signal));
    expect(seen).toEqual([signal, signal]);
  });
});

describe('price-threshold over the agent\'s price view', () => {
  it('answers synchronously from what the view holds, exactly as it answers after waiting for it', async () => {
    // A minute series from 40 days back; the view fetches on the first asks, then holds.
    const points = Array.from({ length: 40 * 24 * 60 }, (_, i) => ({ t: NOW - (40 * 24 * 60 - i) * 60_000, price: 200 * Math.exp(0.02 * Math.sin(i / 97)) }));
    const source: PriceSource = {
      async getPrice() { return points[points.length - 1]!.price; },
      async getHistory(_asset, since) { return points.filter((p) => p.t >= since && p.t <= NOW); },
    };
    const theses = [
      'Will SOL close above $205 on 2026-05-22?', // close
      'Will SOL trade above $201 at any time before 2026-06-10?', // touch, already reached since creation
      'Will SOL trade below $150 at any time before 2026-06-10?', // touch, not reached
    ];
    for (const thesis of theses) {
      const n = narrative({ thesis, createdAt: new Date(NOW - 5 * 24 * HOUR).toISOString() });
      const view = strategyPriceView(source, new ManualClock(NOW), silentLogger(), 60_000);
      const first = priceThreshold.evaluate(n, ctx(view));
      expect(first).toBeInstanceOf(Promise); // nothing held yet: it waits for the view
      const waited = await first;
      const held = priceThreshold.evaluate(n, ctx(view));
      expect(held).not.toBeInstanceOf(Promise); // all held now: answered at once
      const { explain: e1, ...a } = held as Opinion;
      const { explain: e2, ...b } = waited!;
      expect(a).toEqual(b);
      expect(rationaleOf({ explain: e1 })).toBe(rationaleOf({ explain: e2 }));
      expect(waited).not.toBeNull();
    }
  });
});
