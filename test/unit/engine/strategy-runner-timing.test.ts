// How the in-process runner times answers: a run of synchronous answers (up to and including the synchronous part of
// an asynchronous one) is timed as a whole and each gets the run's mean; an asynchronous answer's wait is its own. Lower bounds only (a loaded machine only makes the times longer).
import { describe, expect, it } from 'vitest';
import type { Strategy } from '../../../src/core/strategy.js';
import { InProcessRunner } from '../../../src/engine/strategy-runner.js';
import { narrative } from '../../helpers/narratives.js';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('in-process runner timing', () => {
  it('gives synchronous answers their share of the run and an asynchronous one its wait', async () => {
    const strategy: Strategy = {
      name: 'mixed',
      evaluate(n) {
        if (n.id === 'slow-async') return new Promise((resolve) => setTimeout(() => resolve({ pTrue: 0.5, confidence: 0.5 }), 30));
        busy(4);
        return { pTrue: 0.6, confidence: 0.5 };
      },
    };
    const runner = new InProcessRunner(strategy, 1, 1_000, {});
    const ids = ['a', 'b', 'slow-async', 'c'];
    const out = await runner.evaluateAll(ids.map((id) => ({ narrative: narrative({ id }), history: [] })), { nowMs: 0, sources: {} });
    expect(out.map((o) => o.ok)).toEqual([true, true, true, true]);
    // a, b and the synchronous part of slow-async are one run (8 ms of work): equal shares
    expect(out[0]!.durationMs).toBe(out[1]!.durationMs);
    expect(out[0]!.durationMs * 3).toBeGreaterThanOrEqual(7.5);
    // slow-async: its share of that run, then its own 30 ms wait
    expect(out[2]!.durationMs).toBeGreaterThanOrEqual(out[0]!.durationMs + 25);
    // c: a run of its own
    expect(out[3]!.durationMs).toBeGreaterThanOrEqual(3.5);
    // each is a time in ms to 0.01
    for (const o of out) expect(Math.round(o.durationMs * 100) / 100).toBe(o.durationMs);
  });

  it('times nothing it need not: fast synchronous answers stay at 0 ms, and a timeout is still raced', async () => {
    const strategy: Strategy = {
      name: 'fast',
      evaluate: (n) => (n.id === 'hang' ? new Promise(() => {}) : { pTrue: 0.6, confidence: 0.5 }),
    };
    const runner = new InProcessRunner(strategy, 1, 50, {});
    const out = await runner.evaluateAll(['a', 'hang', 'b'].map((id) => ({ narrative: narrative({ id }), history: [] })), { nowMs: 0, sources: {} });
    expect(out[1]).toMatchObject({ ok: false, error: 'timed out after 50 ms' });
    expect(out[1]!.durationMs).toBeGreaterThanOrEqual(45);
    expect(out[0]!.ok && out[2]!.ok).toBe(true);
  });
});
