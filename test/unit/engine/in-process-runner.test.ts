// How the in-process runner times answers: a run of synchronous answers (up to and including the synchronous part of
// an asynchronous one) is timed as a whole and each gets the run's mean; an asynchronous answer's wait is its own. Lower bounds only (a loaded machine only makes the times longer).
import { getEventListeners } from 'node:events';
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

  describe('shutdown (the tick\'s signal)', () => {
    const items = (...ids: string[]) => ids.map((id) => ({ narrative: narrative({ id }), history: [] }));
    const STOPPED = { ok: false, error: 'stopped: the agent is shutting down' };

    it('stops between synchronous answers, and leaves no listener on the tick\'s signal', async () => {
      const tick = new AbortController();
      const strategy: Strategy = {
        name: 'sync',
        evaluate: (n) => {
          if (n.id === 'b') tick.abort();
          return { pTrue: 0.6, confidence: 0.5 };
        },
      };
      const out = await new InProcessRunner(strategy, 1, 1_000, {}).evaluateAll(items('a', 'b', 'c', 'd'), { nowMs: 0, sources: {} }, tick.signal);
      expect(out.map((o) => o.ok)).toEqual([true, true, false, false]);
      expect(out[2]).toMatchObject(STOPPED);
      expect(getEventListeners(tick.signal, 'abort')).toHaveLength(0);
    });

    it('ends a wait in flight, aborts the signal a strategy read, and stops the rest', async () => {
      const tick = new AbortController();
      let seen: AbortSignal | null = null;
      const strategy: Strategy = {
        name: 'waits',
        evaluate: (n, ctx) => {
          if (n.id !== 'slow') return { pTrue: 0.6, confidence: 0.5 };
          seen = ctx.signal;
          setTimeout(() => tick.abort(), 10);
          return new Promise(() => {}); // never answers: only the shutdown ends the wait
        },
      };
      const runner = new InProcessRunner(strategy, 1, 5_000, {});
      const out = await runner.evaluateAll(items('a', 'slow', 'c'), { nowMs: 0, sources: {} }, tick.signal);
      expect(out[0]!.ok).toBe(true);
      expect(out[1]).toMatchObject(STOPPED);
      expect(out[2]).toMatchObject(STOPPED);
      expect(seen!.aborted).toBe(true);
      expect(getEventListeners(tick.signal, 'abort')).toHaveLength(0);
    });

    it('leaves no listener behind when a strategy reads the signal after its batch (a prefetch it started)', async () => {
      const tick = new AbortController();
      const late: AbortSignal[] = [];
      const strategy: Strategy = {
        name: 'prefetches',
        evaluate: (_n, ctx) => {
          queueMicrotask(() => late.push(ctx.signal));
          return { pTrue: 0.6, confidence: 0.5 };
        },
      };
      const runner = new InProcessRunner(strategy, 1, 1_000, {});
      for (let b = 0; b < 20; b++) await runner.evaluateAll(items('a', 'b'), { nowMs: 0, sources: {} }, tick.signal);
      await new Promise((r) => setImmediate(r));
      expect(late.length).toBe(40);
      expect(getEventListeners(tick.signal, 'abort')).toHaveLength(0);
    });

    it('gives what shutdown stopped no share of the time', async () => {
      const tick = new AbortController();
      const strategy: Strategy = {
        name: 'slow-sync',
        evaluate: (n) => {
          busy(3);
          if (n.id === 'b') tick.abort();
          return { pTrue: 0.6, confidence: 0.5 };
        },
      };
      const out = await new InProcessRunner(strategy, 1, 1_000, {}).evaluateAll(items('a', 'b', 'c', 'd'), { nowMs: 0, sources: {} }, tick.signal);
      expect(out.map((o) => o.durationMs > 0)).toEqual([true, true, false, false]);
      expect(out[0]!.durationMs).toBeGreaterThanOrEqual(2.5);
    });

    it('hands an already-aborted signal to a strategy that reads it after shutdown began, and evaluates nothing once aborted', async () => {
      const tick = new AbortController();
      tick.abort();
      const strategy: Strategy = { name: 's', evaluate: (_n, ctx) => ({ pTrue: ctx.signal.aborted ? 0.1 : 0.9, confidence: 0.5 }) };
      const out = await new InProcessRunner(strategy, 1, 1_000, {}).evaluateAll(items('a', 'b'), { nowMs: 0, sources: {} }, tick.signal);
      expect(out).toEqual([expect.objectContaining(STOPPED), expect.objectContaining(STOPPED)]);
    });
  });
});
