// The report's time series stay bounded on a recording of any length, keep the last point, and follow drawdown.
import { describe, expect, it } from 'vitest';
import { markToModel, SeriesSampler } from '../../../src/backtest/run-series.js';
import { payoutModel } from '../../../src/core/payout.js';

describe('SeriesSampler', () => {
  it('keeps at most maxPoints, evenly spread, and the forced last point', () => {
    const s = new SeriesSampler(100);
    for (let i = 0; i < 10_000; i++) s.add({ t: i * 60_000, realisedLamports: BigInt(i), atStakeLamports: 0n, openPositions: 0, openExpectedLamports: 0 });
    s.add({ t: 9_999 * 60_000 + 1, realisedLamports: 5n, atStakeLamports: 0n, openPositions: 1, openExpectedLamports: 0 }, true);
    const t = s.series.t;
    expect(t.length).toBeLessThanOrEqual(101);
    expect(t.length).toBeGreaterThan(40);
    expect(t[0]).toBe(0);
    expect(t[t.length - 1]).toBe(9_999 * 60_000 + 1);
    for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThan(t[i - 1]!);
  });

  it('draws drawdown below the running peak, for realised and marked P&L', () => {
    const s = new SeriesSampler();
    const sol = (x: number) => BigInt(Math.round(x * 1e9));
    [1, 3, 2, 4, 1].forEach((x, i) => s.add({ t: i, realisedLamports: sol(x), atStakeLamports: 0n, openPositions: 0, openExpectedLamports: i === 4 ? 1e9 : 0 }));
    expect(s.series.drawdown).toEqual([0, 0, -1, 0, -3]);
    expect(s.series.marked[4]).toBe(2);
    expect(s.series.drawdownMarked[4]).toBe(-2);
  });

  it('marks open positions at the expected P&L of the model forecast, and leaves unscored ones at 0', () => {
    const payout = payoutModel('current');
    const v = markToModel([{ narrativeId: 'a', stakeLamports: 1_000_000_000n }, { narrativeId: 'b', stakeLamports: 1_000_000_000n }], (id) => (id === 'a' ? 1 : null), payout);
    expect(v).toBeCloseTo(1e9 * payout.winPerUnit, 3);
  });
});
