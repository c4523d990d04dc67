// Plug-ins (strategies loaded by path) run in worker threads: the table of issue 12, one hostile plug-in at a time,
// beside a good one. Each test would end, hang or corrupt the test process if the plug-in ran in this thread.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Strategy } from '../../../src/core/strategy.js';
import { isMagmaError } from '../../../src/core/errors.js';
import { loadStrategies } from '../../../src/engine/load-strategies.js';
import { StrategyHost } from '../../../src/engine/strategy-host.js';
import { MAX_FAILURES_PER_TICK } from '../../../src/engine/worker-runner.js';
import { narrative } from '../../helpers/narratives.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/strategies');
const NOW = Date.parse('2026-04-07T00:00:00Z');
const hosts: StrategyHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});

async function host(files: string[], extra: { timeoutMs?: number; memoryMb?: number } = {}, builtins: Strategy[] = []) {
  const loaded = await loadStrategies(files.map((f) => ({ path: f, weight: 1, timeoutMs: extra.timeoutMs ?? 200, options: {}, ...(extra.memoryMb ? { memoryMb: extra.memoryMb } : {}) })), FIXTURES);
  const h = new StrategyHost([...loaded, ...builtins.map((strategy) => ({ strategy, weight: 1, timeoutMs: 200, options: {} }))]);
  hosts.push(h);
  return h;
}

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ narrative: Object.freeze(narrative({ id: `n${i}` })), history: [] }));

async function tick(h: StrategyHost, n: number, sources = {}, signal?: AbortSignal) {
  const evaluations = await h.evaluateAll(items(n), { nowMs: NOW, sources }, signal);
  return (name: string) => evaluations.map((e) => e.records.find((r) => r.strategy === name)!);
}

describe('plug-ins in worker threads', () => {
  it('an opinion whose getter throws is a failed opinion; the good strategy goes on', async () => {
    const by = await tick(await host(['getter-throws.mjs', 'good.mjs']), 3);
    expect(by('getter-throws').map((r) => r.error)).toEqual(Array(3).fill('invalid opinion: reading it threw (gotcha)'));
    expect(by('good').map((r) => r.pTrue)).toEqual([0.9, 0.9, 0.9]);
  });

  it('an opinion whose `then` getter throws is a failed opinion, in a plug-in and in the agent\'s thread', async () => {
    const by = await tick(await host(['then-throws.mjs', 'good.mjs']), 2);
    expect(by('then-throws').map((r) => r.error)).toEqual(Array(2).fill('invalid opinion: reading it threw (not a promise, not an opinion)'));
    expect(by('good').map((r) => r.pTrue)).toEqual([0.9, 0.9]);
    const builtin: Strategy = { name: 'then-builtin', evaluate: () => ({ pTrue: 0.5, confidence: 0.5, get then(): never { throw 'odd'; } }) as never };
    const inThread = await tick(await host(['good.mjs'], {}, [builtin]), 1);
    expect(inThread('then-builtin')[0]!.error).toBe('invalid opinion: reading it threw (odd)');
    expect(inThread('good')[0]!.pTrue).toBe(0.9);
  });

  it('a thrown non-Error whose toString throws is a failed opinion', async () => {
    const by = await tick(await host(['throws-odd.mjs', 'good.mjs']), 2);
    expect(by('throws-odd').map((r) => r.error)).toEqual(['threw: a value that cannot be shown', 'threw: a value that cannot be shown']);
    expect(by('good').map((r) => r.pTrue)).toEqual([0.9, 0.9]);
  });

  it('an endless loop is cut off at the deadline, its thread restarted, and the next tick runs again', async () => {
    const h = await host(['loops.mjs', 'good.mjs'], { timeoutMs: 100 });
    const by = await tick(h, 5);
    const errors = by('loops').map((r) => r.error);
    expect(errors.slice(0, MAX_FAILURES_PER_TICK)).toEqual(Array(MAX_FAILURES_PER_TICK).fill('timed out after 100 ms (stuck: its worker was stopped and is restarted)'));
    expect(errors.slice(MAX_FAILURES_PER_TICK)).toEqual(Array(5 - MAX_FAILURES_PER_TICK).fill(`not evaluated: the plug-in crashed or got stuck ${MAX_FAILURES_PER_TICK} times this tick`));
    expect(by('good').every((r) => r.pTrue === 0.9)).toBe(true);
    const again = await tick(h, 1);
    expect(again('loops')[0]!.error).toMatch(/^timed out after 100 ms \(stuck/);
    expect(again('good')[0]!.pTrue).toBe(0.9);
  });

  it('process.exit(0) ends only the plug-in\'s thread; its items fail and the thread comes back', async () => {
    const h = await host(['exits.mjs', 'good.mjs']);
    const by = await tick(h, 2);
    expect(by('exits').map((r) => r.error)).toEqual(Array(2).fill('crashed: it ended its worker thread (exit code 0); its worker is restarted'));
    expect(by('good').map((r) => r.pTrue)).toEqual([0.9, 0.9]);
    expect((await tick(h, 1))('exits')[0]!.error).toMatch(/^crashed/);
  });

  it('process.kill and process.abort are refused in the plug-in\'s thread: the agent lives on', async () => {
    const h = await host(['signals.mjs', 'good.mjs']);
    const by = await tick(h, 2);
    expect(by('signals').map((r) => r.error)).toEqual(Array(2).fill(expect.stringMatching(/^threw: process\.(kill|abort)\(\) is not available to a strategy/)));
    expect(by('good').map((r) => r.pTrue)).toEqual([0.9, 0.9]);
  });

  it('an allocation without end hits the thread\'s memory limit, not the agent\'s', async () => {
    const by = await tick(await host(['allocates.mjs', 'good.mjs'], { memoryMb: 32, timeoutMs: 20_000 }), 1);
    expect(by('allocates')[0]!.error).toBe('crashed: ran out of its memory limit (32 MB); its worker is restarted');
    expect(by('good')[0]!.pTrue).toBe(0.9);
  });

  it('what a tampering plug-in changes never reaches the agent or another strategy', async () => {
    const seen: unknown[] = [];
    const spy: Strategy = {
      name: 'spy',
      evaluate(n, ctx) {
        seen.push({ proto: ({} as { tampered?: unknown }).tampered ?? null, title: n.title, history: ctx.history.map((s) => s.oracleStatus), sources: Object.keys(ctx.sources), prices: typeof ctx.sources.prices?.price });
        return null;
      },
    };
    const h = await host(['tampers.mjs', 'observes.mjs'], {}, [spy]);
    const prices = { price: async () => 231.5, history: async () => [] };
    const history = [{ observedAt: '2026-04-06T00:00:00.000Z', observedMs: Date.parse('2026-04-06T00:00:00.000Z'), oracleStatus: 'open', totalBackedLamports: 5n, backerCount: 1, challengeCount: 0 }];
    const item = { narrative: Object.freeze(narrative({ id: 'a', title: 'original' })), history };
    for (let t = 0; t < 2; t++) {
      const [evaluation] = await h.evaluateAll([item, item], { nowMs: NOW, sources: { prices } });
      const observed = evaluation!.records.find((r) => r.strategy === 'observes')!;
      expect(JSON.parse(observed.rationale!)).toEqual({ proto: null, title: 'original', history: ['open'], sources: ['prices'], price: 231.5 });
      expect(evaluation!.records.find((r) => r.strategy === 'tampers')!.pTrue).toBe(0.5);
    }
    expect(seen).toEqual(Array(4).fill({ proto: null, title: 'original', history: ['open'], sources: ['prices'], prices: 'function' }));
    expect(({} as { tampered?: unknown }).tampered).toBeUndefined();
    expect(history).toHaveLength(1);
    expect(history[0]!.oracleStatus).toBe('open');
    expect(prices.price).toBeTypeOf('function');
  });

  it('approved sources work from the thread: prices, price history and the Magus judge, errors included', async () => {
    const h = await host(['observes.mjs']);
    const sources = { prices: { price: async (a: string) => (a === 'SOL' ? 200 : null), history: async () => [] }, magus: { judge: async () => ({}) } };
    const by = await tick(h, 2, sources);
    expect(JSON.parse(by('observes')[0]!.rationale!)).toMatchObject({ sources: ['magus', 'prices'], price: 200 });
    const failing = { prices: { price: async () => { throw Object.assign(new Error('source down'), { code: 'PRICES_UNAVAILABLE' }); }, history: async () => [] } };
    expect((await tick(h, 1, failing))('observes')[0]!.error).toBe('threw: source down');
  });

  it('the judge\'s context crosses from the thread when it has the prompt\'s shape, and is left out otherwise', async () => {
    const h = await host(['judges.mjs']);
    const seen: unknown[] = [];
    const magus = {
      judge: async (_n: unknown, o: { maxAgeMs: number; context?: unknown }) => {
        seen.push({ maxAgeMs: o.maxAgeMs, context: o.context });
        return { pTrue: 0.3, confidence: 0.5, verdict: 'false', reasoning: 'judged', credits: 0 };
      },
    };
    const by = await tick(h, 1, { magus });
    expect(by('judges')[0]).toMatchObject({ pTrue: 0.3, rationale: 'judged' });
    expect(seen).toEqual([
      { maxAgeMs: 60_000, context: { deadlineMs: 1_800_000_000_000, price: { asset: 'SOL', spot: 200, level: 250, kind: 'close', direction: 'above', modelPTrue: 0.2 } } },
      { maxAgeMs: 60_000, context: undefined },
    ]);
  });

  it('stops a looping plug-in when the agent shuts down (SIGTERM), without waiting for its deadline', async () => {
    const h = await host(['loops.mjs'], { timeoutMs: 300_000 });
    const ac = new AbortController();
    const pending = tick(h, 3, {}, ac.signal);
    setTimeout(() => ac.abort(), 300);
    const by = await pending;
    expect(by('loops').map((r) => r.error)).toEqual(Array(3).fill('stopped: the agent is shutting down'));
  });

  it('a module that exits while it is imported fails the load clearly, and the agent lives on', async () => {
    const err = await loadStrategies([{ path: 'exits-on-import.mjs', weight: 1, timeoutMs: 100, options: {} }], FIXTURES).catch((e: unknown) => e);
    expect(isMagmaError(err) && err.code).toBe('STRATEGY_LOAD_FAILED');
    expect((err as Error).message).toMatch(/strategies\[0\]: loading .*exits-on-import\.mjs failed: crashed: it ended its worker thread \(exit code 0\)\./);
  });
});
