import { describe, expect, it } from 'vitest';
import magusJudge from '../../../strategies/magus-judge.js';
import { MagmaError } from '../../../src/core/errors.js';
import type { MagusSource } from '../../../src/magus/create-magus.js';
import { narrative } from '../../helpers/narratives.js';

function fake(answer: () => { pTrue: number; confidence: number; reasoning: string }) {
  let calls = 0;
  const source: MagusSource = { judge: async () => { calls++; const a = answer(); return { ...a, verdict: a.pTrue >= 0.9 ? 'true' : a.pTrue <= 0.1 ? 'false' : 'unsure', credits: 10 }; } };
  return { source, calls: () => calls };
}

let now = Date.parse('2026-05-20T12:00:00Z');
const ctx = (magus?: MagusSource, options = {}) => ({ history: [], clock: { now: () => now }, options, sources: magus ? { magus } : {} });

describe('magus-judge strategy', () => {
  it('has no opinion when Magus is not configured', async () => {
    expect(await magusJudge.evaluate(narrative({ id: 'm0' }), ctx())).toBeNull();
  });

  it('turns the judgement into an opinion, scaled confidence, and asks once per narrative version', async () => {
    const m = fake(() => ({ pTrue: 0.7, confidence: 0.5, reasoning: 'because' }));
    const n = narrative({ id: 'm1' });
    const o = await magusJudge.evaluate(n, ctx(m.source));
    expect(o).toEqual({ pTrue: 0.7, confidence: 0.4, rationale: 'because' });
    await magusJudge.evaluate(n, ctx(m.source));
    expect(m.calls()).toBe(1); // cached
    await magusJudge.evaluate({ ...n, thesis: 'changed' }, ctx(m.source));
    expect(m.calls()).toBe(2); // a new version is asked again
    now += 13 * 3_600_000;
    await magusJudge.evaluate({ ...n, thesis: 'changed' }, ctx(m.source));
    expect(m.calls()).toBe(3); // and the cache expires after refreshHours
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

  it('goes quiet (no opinion, no retry) once the credit cap is spent; other failures surface to the host', async () => {
    const capped: MagusSource = { judge: async () => { throw new MagmaError('MAGUS_CREDIT_CAP', 'cap'); } };
    expect(await magusJudge.evaluate(narrative({ id: 'm5' }), ctx(capped))).toBeNull();
    const broken: MagusSource = { judge: async () => { throw new Error('502'); } };
    await expect(magusJudge.evaluate(narrative({ id: 'm6' }), ctx(broken))).rejects.toThrow('502');
  });
});
