// Plug-ins (strategies loaded by path) run in worker threads: the table of issue 12, one hostile plug-in at a time,
// beside a good one. Each test would end, hang or corrupt the test process if the plug-in ran in this thread.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Strategy } from '../../../src/core/strategy.js';
import { isMagmaError } from '../../../src/core/errors.js';
import { loadStrategies } from '../../../src/engine/load-strategies.js';
import { StrategyHost } from '../../../src/engine/strategy-host.js';
import { MAX_OPINION_TEXT } from '../../../src/engine/strategy-runner.js';
import { MAX_FAILURES_PER_TICK, offHeapAllowanceBytes } from '../../../src/engine/worker-runner.js';
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

  it('process._kill, process.binding and process.dlopen are refused too (the raw kill, Node\'s internals, native code)', async () => {
    const by = await tick(await host(['raw-kill.mjs', 'good.mjs']), 3);
    expect(by('raw-kill').map((r) => r.error)).toEqual(['_kill', 'binding', 'dlopen'].map((n) => `threw: process.${n}() is not available to a strategy`));
    expect(by('good').map((r) => r.pTrue)).toEqual([0.9, 0.9, 0.9]);
  });

  it('an allocation without end hits the thread\'s memory limit, not the agent\'s', async () => {
    const by = await tick(await host(['allocates.mjs', 'good.mjs'], { memoryMb: 32, timeoutMs: 20_000 }), 1);
    expect(by('allocates')[0]!.error).toBe('crashed: ran out of its memory limit (32 MB); its worker is restarted');
    expect(by('good')[0]!.pTrue).toBe(0.9);
  });

  it('buffers held without end (outside the thread\'s heap limit) stop the plug-in\'s worker, not the agent', async () => {
    const by = await tick(await host(['hoards-buffers.mjs', 'good.mjs'], { memoryMb: 32, timeoutMs: 120_000 }), 1);
    expect(by('hoards-buffers')[0]!.error).toBe(`used more than ${offHeapAllowanceBytes(32) / 2 ** 20} MB of the agent's memory (buffers outside its 32 MB heap): its worker was stopped and is restarted`);
    expect(by('good')[0]!.pTrue).toBe(0.9);
  });

  it('text built as a rope far past the thread\'s heap (a rationale, a thrown message) is replaced by its length, never flattened', async () => {
    const by = await tick(await host(['rope-text.mjs', 'good.mjs'], { memoryMb: 32 }), 2);
    expect(by('rope-text').map((r) => r.rationale ?? r.error)).toEqual(['(300000000 characters: too long to keep)', 'threw: (300000000 characters: too long to keep)']);
    expect(by('good').map((r) => r.pTrue)).toEqual([0.9, 0.9]);
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

// Hostile plug-ins of the same classes beyond the table: each is a failed (or, read once, a valid) opinion,
// never a crash, a hang or an unbounded value in the agent.
describe('more hostile plug-ins', () => {
  it('a Proxy answer is read once: what was checked is what is used, and its throwing traps are never touched', async () => {
    const by = await tick(await host(['returns-proxy.mjs', 'good.mjs']), 2);
    expect(by('returns-proxy').map((r) => [r.pTrue, r.confidence, r.error])).toEqual([[0.7, 0.5, undefined], [0.7, 0.5, undefined]]);
    expect(by('good').map((r) => r.pTrue)).toEqual([0.9, 0.9]);
  });

  it('huge text is cut to 1,000 characters, and a huge value where a number is due is a short error', async () => {
    const by = await tick(await host(['huge-text.mjs', 'good.mjs']), 3);
    const [kept, notNumber, thrown] = by('huge-text');
    expect(kept!.pTrue).toBe(0.6);
    expect(kept!.rationale).toHaveLength(MAX_OPINION_TEXT);
    expect(kept!.verdict!.evidence).toHaveLength(MAX_OPINION_TEXT);
    expect(notNumber!.error).toBe(`invalid opinion: pTrue must be a finite number from 0 to 1 (got "${'x'.repeat(40)}…")`);
    // what crosses from the thread is read as the plug-in's data: at most 500 characters of error
    expect(thrown!.error).toBe(`threw: ${'x'.repeat(500)}`.slice(0, 500));
    expect(by('good').map((r) => r.pTrue)).toEqual([0.9, 0.9, 0.9]);
  });

  it('NaN, ±Infinity, negative, above 1, a numeric string, a BigInt or a symbol as a probability is a failed opinion', async () => {
    const by = await tick(await host(['bad-numbers.mjs']), 8);
    expect(by('bad-numbers').map((r) => r.error)).toEqual(['NaN', 'Infinity', '-Infinity', '-0.25', '1.5', '"0.5"', 'bigint', 'symbol']
      .map((got) => `invalid opinion: pTrue must be a finite number from 0 to 1 (got ${got})`));
    expect(by('bad-numbers').every((r) => r.pTrue === null)).toBe(true);
  });

  it('a promise that never settles times out; the next narrative is evaluated', async () => {
    const by = await tick(await host(['hangs.mjs', 'good.mjs'], { timeoutMs: 100 }), 2);
    expect(by('hangs').map((r) => r.error)).toEqual(['timed out after 100 ms', 'timed out after 100 ms']);
    expect(by('good').map((r) => r.pTrue)).toEqual([0.9, 0.9]);
  });

  it('threads and processes of its own are refused (they would escape its limits); the agent goes on', async () => {
    const by = await tick(await host(['spawns.mjs', 'good.mjs']), 3);
    expect(by('spawns').map((r) => r.error)).toEqual([
      'threw: worker_threads.Worker is not available to a strategy (it would run outside the strategy\'s memory limit and deadline)',
      'threw: child_process.execSync() is not available to a strategy (it would run outside the strategy\'s memory limit and deadline)',
      'threw: child_process.fork() is not available to a strategy (it would run outside the strategy\'s memory limit and deadline)',
    ]);
    expect(by('good').map((r) => r.pTrue)).toEqual([0.9, 0.9, 0.9]);
  });

  it('the worker\'s port and init data are hidden from the plug-in: it cannot answer for its batch or flood the agent', async () => {
    const by = await tick(await host(['posts-as-worker.mjs']), 2);
    expect(by('posts-as-worker').map((r) => [r.pTrue, r.rationale])).toEqual(Array(2).fill([0.3, 'parentPort hidden, workerData hidden']));
  });

  it('busy timers, stray rejections and a delayed process.exit in its thread: every tick still completes', async () => {
    const h = await host(['timers.mjs', 'good.mjs'], { timeoutMs: 1_000 });
    for (let t = 0; t < 3; t++) {
      const by = await tick(h, 3);
      for (const r of by('timers')) expect(r.error === undefined ? r.pTrue : r.error).toSatisfy((v: unknown) => v === 0.4 || /^(crashed: it ended its worker thread \(exit code 3\)|not evaluated: the plug-in crashed)/.test(String(v)));
      expect(by('good').map((r) => r.pTrue)).toEqual([0.9, 0.9, 0.9]);
      await new Promise((r) => setTimeout(r, 60));
    }
  });

  it('a module that throws an odd value or never finishes importing fails the load clearly', async () => {
    const odd = await loadStrategies([{ path: 'throws-on-import.mjs', weight: 1, timeoutMs: 100, options: {} }], FIXTURES).catch((e: unknown) => e);
    expect(isMagmaError(odd) && odd.code).toBe('STRATEGY_LOAD_FAILED');
    expect((odd as Error).message).toMatch(/strategies\[0\]: loading .*throws-on-import\.mjs failed: it threw while importing: a value that cannot be shown\./);
    const loops = await loadStrategies([{ path: 'loops-on-import.mjs', weight: 1, timeoutMs: 100, options: {} }], FIXTURES, { loadTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(isMagmaError(loops) && loops.code).toBe('STRATEGY_LOAD_FAILED');
    expect((loops as Error).message).toMatch(/strategies\[0\]: loading .*loops-on-import\.mjs failed: it did not finish importing within 0\.3 s\./);
  });

  it('a name longer than 64 characters is refused at load (it is stored beside every opinion)', async () => {
    const err = await loadStrategies([{ path: 'long-name.mjs', weight: 1, timeoutMs: 100, options: {} }], FIXTURES).catch((e: unknown) => e);
    expect(isMagmaError(err) && err.code).toBe('STRATEGY_LOAD_FAILED');
    expect((err as Error).message).toMatch(/names itself with 100000 characters: a strategy's name is at most 64 printable characters\./);
  });

  it('a plug-in named "ensemble" is refused at load (its opinions would be taken for the pooled forecast)', async () => {
    const err = await loadStrategies([{ path: 'named-ensemble.mjs', weight: 1, timeoutMs: 100, options: {} }], FIXTURES).catch((e: unknown) => e);
    expect(isMagmaError(err) && err.code).toBe('STRATEGY_LOAD_FAILED');
    expect((err as Error).message).toMatch(/names itself "ensemble", which the agent's records use for its own figures\./);
  });
});
