// Sweeps: the grid over several keys, the anchored walk-forward folds, choosing on in-sample windows and reading the
// chosen setting out of sample, and the best settings as a config snippet.
import { describe, expect, it } from 'vitest';
import type { RunMetrics } from '../../../src/backtest/run-backtest.js';
import { configSnippet, parseSweepAxis, summariseSweep, sweepGrid, walkForwardFolds } from '../../../src/backtest/sweep.js';
import { metricValue } from '../../../src/backtest/sweep-metric.js';

const metrics = (pnlSol: number, days = 1, extra: Partial<RunMetrics> = {}): RunMetrics => ({
  days, pnlLamports: BigInt(Math.round(pnlSol * 1e9)), settled: 0, won: 0, lost: 0, backings: 0, stakedLamports: 0n,
  maxDrawdownLamports: 0n, brier: null, logLoss: null, scored: 0, ...extra,
});

describe('sweep', () => {
  it('makes the grid of every combination of several keys, values parsed as JSON', () => {
    const axes = [parseSweepAxis('risk.kellyFraction=0.1,0.25'), parseSweepAxis('risk.minEdge=0.01,0.03'), parseSweepAxis('payout.rule=current,legacy')];
    const grid = sweepGrid(axes);
    expect(grid).toHaveLength(8);
    expect(grid[0]).toEqual({ label: 'risk.kellyFraction=0.1 risk.minEdge=0.01 payout.rule="current"', settings: { 'risk.kellyFraction': 0.1, 'risk.minEdge': 0.01, 'payout.rule': 'current' } });
    expect(new Set(grid.map((p) => p.label)).size).toBe(8);
  });

  it('refuses a malformed --sweep, a key given twice and a fold count that is not whole, saying what to write', () => {
    expect(() => parseSweepAxis('kelly')).toThrow(/is not KEY=V1,V2/);
    expect(() => parseSweepAxis('constructor.prototype.polluted=1')).toThrow(/--sweep constructor\.prototype\.polluted names "constructor", which is no configuration key/);
    expect(() => parseSweepAxis('risk.prototype=1')).toThrow(/names "prototype"/);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(() => sweepGrid([parseSweepAxis('risk.minEdge=0.01'), parseSweepAxis('risk.minEdge=0.03')])).toThrow(/names risk\.minEdge twice/);
    expect(() => walkForwardFolds(0, 100, 1.5)).toThrow(/whole number of folds/);
  });

  it('cuts K anchored folds: each chooses on everything before its out-of-sample part, and the parts tile the rest', () => {
    const folds = walkForwardFolds(0, 400, 3);
    expect(folds.map((f) => [f.inSample.fromMs, f.inSample.toMs, f.outOfSample.fromMs, f.outOfSample.toMs])).toEqual([
      [0, 100, 101, 200], [0, 200, 201, 300], [0, 300, 301, 400],
    ]);
  });

  it('chooses on each in-sample window, reports the chosen setting out of sample, and the gap', () => {
    const grid = sweepGrid([parseSweepAxis('risk.kellyFraction=0.1,0.5')]);
    const folds = walkForwardFolds(0, 3 * 86_400_000, 2);
    // 0.5 looks better in sample every time, and is worse out of sample: the overfit a walk-forward exposes.
    const runs = [
      { ...grid[0]!, whole: metrics(0.3, 3), inSample: [metrics(0.1), metrics(0.2, 2)], outOfSample: [metrics(0.1), metrics(0.1)] },
      { ...grid[1]!, whole: metrics(0.9, 3), inSample: [metrics(0.5), metrics(0.8, 2)], outOfSample: [metrics(-0.2), metrics(-0.1)] },
    ];
    const s = summariseSweep('pnl', [parseSweepAxis('risk.kellyFraction=0.1,0.5')], runs, folds, { workers: 2, wallMs: 1 });
    expect(s.walkForward!.folds.map((f) => f.chosen)).toEqual(['risk.kellyFraction=0.5', 'risk.kellyFraction=0.5']);
    expect(s.walkForward!.outOfSample).toBeCloseTo(-0.15, 9);
    expect(s.walkForward!.inSample).toBeCloseTo(0.45, 9);
    expect(s.walkForward!.gap).toBeCloseTo(0.6, 9);
    // The table is sorted by what each setting earned out of sample.
    expect(s.rows.map((r) => r.label)).toEqual(['risk.kellyFraction=0.1', 'risk.kellyFraction=0.5']);
    expect(s.rows[1]!.chosen).toBe(2);
    expect(s.best.snippet).toBe(configSnippet({ 'risk.kellyFraction': 0.5 }));
    expect(s.best.basis).toMatch(/earned -0\.1500 out of sample over 2 walk-forward folds/);
  });

  it('without a walk-forward says the best figure is in-sample only', () => {
    const grid = sweepGrid([parseSweepAxis('risk.minEdge=0.01,0.03')]);
    const s = summariseSweep('brier', [parseSweepAxis('risk.minEdge=0.01,0.03')], [
      { ...grid[0]!, whole: metrics(0, 1, { brier: 0.2 }), inSample: [], outOfSample: [] },
      { ...grid[1]!, whole: metrics(0, 1, { brier: 0.1 }), inSample: [], outOfSample: [] },
    ], [], { workers: 1, wallMs: 1 });
    expect(s.rows[0]!.label).toBe('risk.minEdge=0.03'); // lower Brier is better
    expect(s.walkForward).toBeNull();
    expect(s.best.basis).toMatch(/in-sample only/);
  });

  it('writes dotted keys as the nested JSON of a config file; P&L is per day; a run with nothing settled has no hit rate', () => {
    expect(JSON.parse(configSnippet({ 'risk.kellyFraction': 0.25, 'risk.minEdge': 0.03, 'payout.rule': 'legacy' }))).toEqual({ risk: { kellyFraction: 0.25, minEdge: 0.03 }, payout: { rule: 'legacy' } });
    expect(metricValue('pnl', metrics(1, 4))).toBe(0.25);
    expect(metricValue('pnl', metrics(1, 0))).toBeNull();
    expect(metricValue('hit-rate', metrics(0))).toBeNull();
    expect(metricValue('hit-rate', metrics(0, 1, { won: 3, lost: 1 }))).toBe(0.75);
  });
});
