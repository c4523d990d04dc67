// The magus-judge strategy over the host's Magus source (src/magus/magus-source.ts): the answer cache lives there.
import { describe, expect, it } from 'vitest';
import magusJudge from '../../../strategies/magus-judge.js';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { MagmaError } from '../../../src/core/errors.js';
import { magusSource } from '../../../src/magus/magus-source.js';
import type { StrategyMagusSource } from 'magma-agent/strategy';
import { judgingMagus, MemoryMagusUsage } from '../../helpers/magus.js';
import { narrative } from '../../helpers/narratives.js';
import { strategyContext } from '../../helpers/strategy-context.js';

const clock = new ManualClock(Date.parse('2026-05-20T12:00:00Z'));
const ctx = (magus?: StrategyMagusSource, options = {}) => strategyContext({ now: () => clock.now(), options, sources: magus ? { magus } : {} });

function fake(answer: () => { pTrue: number; confidence: number; reasoning: string; verdict?: 'true' | 'false' | 'unsure' }) {
  const magus = judgingMagus(answer);
  return { source: magusSource(magus, new MemoryMagusUsage(), clock), calls: () => magus.asked.length };
}

function failing(err: unknown) {
  let calls = 0;
  const source = magusSource({ ask: async () => { calls++; throw err; } }, new MemoryMagusUsage(), clock);
  return { source, calls: () => calls };
}

describe('magus-judge strategy', () => {
  it('has no opinion when Magus is not configured', async () => {
    expect(await magusJudge.evaluate(narrative({ id: 'm0' }), ctx())).toBeNull();
  });

  it('turns the judgement into an opinion, scaled confidence, and asks once per narrative version', async () => {
    const m = fake(() => ({ pTrue: 0.7, confidence: 0.5, reasoning: 'because' }));
    const n = narrative({ id: 'm1' });
    const o = await magusJudge.evaluate(n, ctx(m.source));
    expect(o).toEqual({ pTrue: 0.7, confidence: 0.4, rationale: 'because' });
    expect(await magusJudge.evaluate(n, ctx(m.source))).toEqual(o);
    expect(m.calls()).toBe(1); // kept by the host
    await magusJudge.evaluate({ ...n, thesis: 'changed' }, ctx(m.source));
    expect(m.calls()).toBe(2); // a new version is asked again
    clock.advance(13 * 3_600_000);
    await magusJudge.evaluate({ ...n, thesis: 'changed' }, ctx(m.source));
    expect(m.calls()).toBe(3); // and the answer expires after refreshHours
  });

  it('proposes a verdict only for a pending narrative with a decisive, confident answer', async () => {
    const decisive = fake(() => ({ pTrue: 0.96, confidence: 0.9, reasoning: 'SOL closed at 262' }));
    const pending = await magusJudge.evaluate(narrative({ id: 'm2', oracleStatus: 'pending' }), ctx(decisive.source));
    expect(pending!.verdict).toEqual({ resolution: true, confidence: 0.9, evidence: 'Magus judge: SOL closed at 262' });
    const open = await magusJudge.evaluate(narrative({ id: 'm3', oracleStatus: 'open' }), ctx(decisive.source));
    expect(open!.verdict).toBeUndefined();
    const unsure = fake(() => ({ pTrue: 0.8, confidence: 0.9, reasoning: 'likely' }));
    expect((await magusJudge.evaluate(narrative({ id: 'm4', oracleStatus: 'pending' }), ctx(unsure.source)))!.verdict).toBeUndefined();
  });

  it('follows the judge\'s own verdict: none when it says unsure, however far p_true is from 0.5', async () => {
    const hedged = fake(() => ({ pTrue: 0.95, confidence: 0.9, reasoning: 'probably', verdict: 'unsure' }));
    expect((await magusJudge.evaluate(narrative({ id: 'm8', oracleStatus: 'pending' }), ctx(hedged.source)))!.verdict).toBeUndefined();
    const no = fake(() => ({ pTrue: 0.04, confidence: 0.9, reasoning: 'SOL closed at 201', verdict: 'false' }));
    expect((await magusJudge.evaluate(narrative({ id: 'm9', oracleStatus: 'pending' }), ctx(no.source)))!.verdict).toMatchObject({ resolution: false });
  });

  it('tells the judge the deadline and, for a price claim, the price and the model\'s figure (through the host\'s source)', async () => {
    const m = judgingMagus(() => ({ pTrue: 0.3, confidence: 0.6, reasoning: 'far below' }));
    const source = magusSource(m, new MemoryMagusUsage(), clock);
    const points = Array.from({ length: 60 }, (_, i) => ({ t: clock.now() - (60 - i) * 3_600_000, price: 200 + (i % 5) }));
    const prices = {
      price: async () => 203,
      history: async (_a: string, since: number) => points.filter((p) => p.t >= since),
    };
    const n = narrative({ id: 'm10', title: 'SOL closes above $250 on May 22', thesis: 'Will SOL close above $250 on 2026-05-22 per CoinGecko?' });
    await magusJudge.evaluate(n, strategyContext({ now: () => clock.now(), sources: { magus: source, prices } }));
    const prompt = m.asked[0]!.content;
    expect(prompt).toContain('Deadline: 2026-05-22T23:59:59.999Z');
    expect(prompt).toContain('SOL is at 203 now');
    expect(prompt).toMatch(/A lognormal model on realised volatility gives \d+\.\d%/);
  });

  it('goes quiet (no opinion, no retry until refresh) once the credit cap is spent; other failures surface and are asked again', async () => {
    const capped = failing(new MagmaError('MAGUS_CREDIT_CAP', 'cap', { context: { cap: 0 } }));
    expect(await magusJudge.evaluate(narrative({ id: 'm5' }), ctx(capped.source))).toBeNull();
    expect(await magusJudge.evaluate(narrative({ id: 'm5' }), ctx(capped.source))).toBeNull();
    expect(capped.calls()).toBe(1);
    const broken = failing(new Error('502'));
    await expect(magusJudge.evaluate(narrative({ id: 'm6' }), ctx(broken.source))).rejects.toThrow('502');
    await expect(magusJudge.evaluate(narrative({ id: 'm6' }), ctx(broken.source))).rejects.toThrow('502');
    expect(broken.calls()).toBe(2);
  });

  it('passes its signal to Magus, so a timeout or shutdown cancels the question', async () => {
    let seen: AbortSignal | undefined;
    const source = magusSource({ ask: async (_req, signal) => { seen = signal; throw new Error('cancelled'); } }, new MemoryMagusUsage(), clock);
    const controller = new AbortController();
    await expect(magusJudge.evaluate(narrative({ id: 'm7' }), strategyContext({ now: () => clock.now(), sources: { magus: source }, signal: controller.signal }))).rejects.toThrow();
    expect(seen).toBe(controller.signal);
  });
});
