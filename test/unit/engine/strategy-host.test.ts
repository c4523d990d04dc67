import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMagmaError } from '../../../src/core/errors.js';
import { loadStrategies } from '../../../src/engine/load-strategies.js';
import { StrategyHost } from '../../../src/engine/strategy-host.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { narrative } from '../../helpers/narratives.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/strategies');
const ctx = { history: [], clock: { now: () => Date.parse('2026-04-07T00:00:00Z') }, sources: {} };

async function host(...files: string[]) {
  return new StrategyHost(await loadStrategies(files.map((f) => ({ path: f, weight: 1, timeoutMs: 100, options: {} })), FIXTURES));
}

describe('strategy host', () => {
  it('records a good strategy and pools it into the ensemble', async () => {
    const { records, forecast } = await (await host('good.mjs')).evaluate(narrative(), ctx);
    expect(records).toEqual([
      { strategy: 'good', pTrue: 0.9, confidence: 0.6, rationale: 'fixed', verdict: undefined, durationMs: expect.any(Number) },
      { strategy: 'ensemble', pTrue: expect.closeTo(0.9, 10), confidence: 0.6, durationMs: 0 },
    ]);
    expect(forecast?.pTrue).toBeCloseTo(0.9, 10);
  });

  it('isolates a throwing, a hanging and a garbage-returning strategy and goes on with the good one', async () => {
    const h = await host('throws.mjs', 'hangs.mjs', 'garbage.mjs', 'good.mjs');
    const { records, forecast } = await h.evaluate(narrative(), ctx);
    const byName = Object.fromEntries(records.map((r) => [r.strategy, r]));
    expect(byName.throws!.error).toBe('threw: boom');
    expect(byName.hangs!.error).toBe('timed out after 100 ms');
    expect(byName.garbage!.error).toMatch(/^invalid opinion: pTrue must be a finite number from 0 to 1/);
    expect(byName.good!.pTrue).toBe(0.9);
    expect(forecast?.pTrue).toBeCloseTo(0.9, 10); // only the good opinion counts
    const nan = await h.evaluate(narrative({ id: 'nan' }), ctx);
    expect(nan.records.find((r) => r.strategy === 'garbage')!.error).toMatch(/pTrue must be a finite number/);
  });

  it('hands each strategy a frozen narrative and its own options', async () => {
    const seen: unknown[] = [];
    const h = new StrategyHost([{
      strategy: { name: 'spy', evaluate: (n, c) => { seen.push(Object.isFrozen(n), c.options); (n as { title: string }).title = 'x'; return null; } },
      weight: 1, timeoutMs: 100, options: Object.freeze({ k: 1 }),
    }]);
    const { records, forecast } = await h.evaluate(narrative(), ctx);
    expect(seen[0]).toBe(true);
    expect(seen[1]).toEqual({ k: 1 });
    expect(records[0]!.error).toMatch(/threw/); // assigning to a frozen object throws in strict mode
    expect(forecast).toBeNull();
  });

  it('leaves an in-process rationale unwritten until a store keeps it, once per row; a plug-in\'s crosses written', async () => {
    let calls = 0;
    let throwing = false;
    const h = new StrategyHost([{
      strategy: { name: 'lazy', evaluate: () => ({ pTrue: 0.7, confidence: 0.5, explain: () => {
        calls++;
        if (throwing) throw new Error('no words');
        return 'x'.repeat(5_000);
      } }) },
      weight: 1, timeoutMs: 100, options: {},
    }]);
    const store = SqliteStore.open(':memory:');
    const tick = store.beginTick('2026-04-07T00:00:00Z');
    const n = narrative();
    const rows = () => store.db.prepare('SELECT rationale FROM opinions WHERE strategy = ? ORDER BY id').pluck().all('lazy') as string[];
    const first = await h.evaluate(n, ctx);
    expect(first.records[0]!.rationale).toBeUndefined();
    expect(calls).toBe(0); // evaluated and pooled: no text yet
    store.recordOpinions(tick, n.id, '2026-04-07T00:00:00Z', first.records, 'live');
    expect(calls).toBe(1);
    expect(rows()).toEqual(['x'.repeat(300)]); // cut as a rationale is
    store.recordOpinions(tick, n.id, '2026-04-07T00:01:00Z', (await h.evaluate(n, ctx)).records, 'live');
    expect(calls).toBe(1); // the same opinion again: its run grows, no text is written
    throwing = true;
    store.recordOpinions(tick, n.id, '2026-04-07T00:02:00Z', (await h.evaluate(n, ctx)).records, 'resolved'); // a new row
    expect(rows()[1]).toBe('(its explain threw: no words)');
    store.close();

    const plugin = await host('explains.mjs');
    try {
      const [record] = (await plugin.evaluate(narrative({ title: 'T' }), ctx)).records;
      expect(record).toMatchObject({ strategy: 'explains', pTrue: 0.8, rationale: 'written for T' });
      expect(record!.explain).toBeUndefined();
    } finally {
      await plugin.close();
    }
  });

  it('refuses an explain that is not a function', async () => {
    const h = new StrategyHost([{ strategy: { name: 'odd', evaluate: () => ({ pTrue: 0.7, confidence: 0.5, explain: 'text' }) as never }, weight: 1, timeoutMs: 100, options: {} }]);
    expect((await h.evaluate(narrative(), ctx)).records[0]!.error).toBe('invalid opinion: explain must be a function');
  });

  it('loads the README\'s example strategy by path and gets its opinion', async () => {
    const [loaded] = await loadStrategies([{ path: 'strategies/examples/contrarian-thin-markets.mjs', weight: 0.5, timeoutMs: 100, options: {} }], join(import.meta.dirname, '../../..'));
    const h = new StrategyHost([loaded!]);
    const thin = await h.evaluate(narrative({ backerCount: 4, challengeCount: 0 }), ctx);
    expect(thin.records[0]).toMatchObject({ strategy: 'contrarian-thin-markets', pTrue: 0.65, confidence: 0.2 });
    const crowded = await h.evaluate(narrative({ backerCount: 40, challengeCount: 2 }), ctx);
    expect(crowded.forecast).toBeNull();
  });

  it('refuses, at load time, a module that is not a strategy, a wrong interface version, a missing file and an unknown built-in', async () => {
    for (const [entries, pattern] of [
      [[{ path: 'not-a-strategy.mjs' }], /does not export a strategy/],
      [[{ path: 'old-version.mjs' }], /interface version 0/],
      [[{ path: 'missing.mjs' }], /not an existing .js or .mjs file/],
      [[{ name: 'nope' }], /no built-in strategy named "nope"/],
      [[{ name: 'crowd' }, { name: 'crowd' }], /configured twice/],
    ] as const) {
      const err = await loadStrategies(entries.map((e) => ({ ...e, weight: 1, timeoutMs: 100, options: {} })), FIXTURES).catch((e: unknown) => e);
      expect(isMagmaError(err, 'STRATEGY_LOAD_FAILED')).toBe(true);
      expect((err as Error).message).toMatch(pattern);
    }
  });
});
