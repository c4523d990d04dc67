// Progress off a terminal: one JSON line per interval, with polls, rate, the share of simulated time done across
// every run, and the time left.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BacktestProgress } from '../../../src/cli/backtest-progress.js';

describe('BacktestProgress (not a terminal)', () => {
  it('writes a structured line at most once per interval, weighing each run by the time it covers', () => {
    const stream = new PassThrough();
    let now = 0;
    const p = new BacktestProgress([{ id: 0, fromMs: 0, toMs: 3_000 }, { id: 1, fromMs: 0, toMs: 1_000 }], { enabled: true, tty: false, intervalMs: 10_000, stream, now: () => now });
    now = 5_000;
    p.update(0, { polls: 100, t: 1_500, backed: 0 }); // within the first interval: nothing yet
    now = 10_000;
    p.update(0, { polls: 200, t: 3_000, backed: 1 });
    p.jobDone(0);
    now = 20_000;
    p.update(1, { polls: 50, t: 500, backed: 0 });
    p.stop();
    const lines = String(stream.read()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { event: 'backtest.progress', percent: 75, polls: 200, polls_per_s: 20, eta_s: 3, runs_done: 0, runs: 2 },
      { event: 'backtest.progress', percent: 87, polls: 250, polls_per_s: 13, eta_s: 3, runs_done: 1, runs: 2 },
    ]);
  });

  it('writes nothing when disabled (--json)', () => {
    const stream = new PassThrough();
    let now = 0;
    const p = new BacktestProgress([{ id: 0, fromMs: 0, toMs: 10 }], { enabled: false, tty: false, intervalMs: 1, stream, now: () => now });
    now = 100;
    p.update(0, { polls: 1, t: 5, backed: 0 });
    p.jobDone(0);
    expect(stream.read()).toBeNull();
  });
});
