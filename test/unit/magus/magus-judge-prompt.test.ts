// issue 17: the judge's prompt says what a careful judge needs, its answer has one fixed shape (anything else is
// refused), and answers are kept in the database across restarts and replayed, never asked again, in backtests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { judgePrompt, parseJudgement } from '../../../src/magus/magus-judge.js';
import { magusSource } from '../../../src/magus/magus-source.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { judgingMagus, MemoryMagusUsage } from '../../helpers/magus.js';
import { narrative } from '../../helpers/narratives.js';

const now = Date.parse('2026-05-20T12:00:00Z');

describe('the Magus judge prompt and answer', () => {
  it('gives the narrative, its deadline, the crowd\'s split and, for a price claim, the price and the model\'s figure', () => {
    const n = narrative({ id: 'p1', title: 'SOL closes above $250 on May 22', thesis: 'Will SOL close above $250 on 2026-05-22 per CoinGecko?', backerCount: 30, challengeCount: 10 });
    const text = judgePrompt(n, { nowMs: now, deadlineMs: Date.parse('2026-05-22T23:59:59.999Z'), price: { asset: 'SOL', spot: 231.4, level: 250, kind: 'close', direction: 'above', modelPTrue: 0.213 } });
    expect(text).toContain('SOL closes above $250 on May 22');
    expect(text).toContain('Deadline: 2026-05-22T23:59:59.999Z');
    expect(text).toContain('30 backers');
    expect(text).toContain('10 challengers: 75% back it');
    expect(text).toContain('SOL is at 231.4 now');
    expect(text).toContain('gives 21.3%');
    expect(text).toContain('{"p_true": <number 0..1>, "verdict": "true" | "false" | "unsure"');
    expect(judgePrompt(narrative({ id: 'p2' }), { nowMs: now, deadlineMs: null })).toContain('Deadline: not stated in the thesis');
  });

  it('accepts exactly the fixed JSON shape, bare or alone in a json block', () => {
    const ok = { p_true: 0.8, verdict: 'true', confidence: 0.7, reasoning: 'trend' };
    expect(parseJudgement(JSON.stringify(ok))).toEqual({ pTrue: 0.8, verdict: 'true', confidence: 0.7, reasoning: 'trend' });
    expect(parseJudgement('```json\n' + JSON.stringify(ok) + '\n```')).not.toBeNull();
  });

  it.each([
    ['prose around the object', `Sure! ${JSON.stringify({ p_true: 0.8, verdict: 'true', confidence: 0.7, reasoning: 'x' })} Hope this helps.`],
    ['a missing verdict', JSON.stringify({ p_true: 0.8, confidence: 0.7, reasoning: 'x' })],
    ['an extra key', JSON.stringify({ p_true: 0.8, verdict: 'true', confidence: 0.7, reasoning: 'x', sources: [] })],
    ['a verdict against p_true', JSON.stringify({ p_true: 0.2, verdict: 'true', confidence: 0.7, reasoning: 'x' })],
    ['an unknown verdict', JSON.stringify({ p_true: 0.5, verdict: 'maybe', confidence: 0.7, reasoning: 'x' })],
    ['a probability out of range', JSON.stringify({ p_true: 1.2, verdict: 'true', confidence: 0.7, reasoning: 'x' })],
    ['a probability as text', JSON.stringify({ p_true: '0.8', verdict: 'true', confidence: 0.7, reasoning: 'x' })],
    ['an array', '[0.8]'],
  ])('refuses %s', (_label, text) => {
    expect(parseJudgement(text)).toBeNull();
  });
});

describe('Magus answers kept across restarts and replayed in backtests', () => {
  it('asks once per narrative version, keeps the answer in the database, and a backtest only replays', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'magus-answers-')), 'magma.db');
    const clock = new ManualClock(now);
    const magus = judgingMagus(() => ({ pTrue: 0.3, verdict: 'unsure', confidence: 0.5, reasoning: 'unclear' }));
    const n = narrative({ id: 'a1' });
    const o = { maxAgeMs: 12 * 3_600_000 };
    let store = SqliteStore.open(path);
    expect(await magusSource(magus, store, clock).judge(n, o)).toMatchObject({ pTrue: 0.3, verdict: 'unsure', credits: 10 });
    store.close();

    store = SqliteStore.open(path); // a restart
    const again = magusSource(magus, store, clock);
    expect(await again.judge(n, o)).toMatchObject({ pTrue: 0.3, credits: 0 });
    expect(magus.asked).toHaveLength(1);
    await again.judge({ ...n, thesis: 'reworded' }, o);
    expect(magus.asked).toHaveLength(2); // a new version of the narrative is a new question
    clock.advance(13 * 3_600_000);
    await again.judge({ ...n, thesis: 'reworded' }, o);
    expect(magus.asked).toHaveLength(3); // and an answer older than the refresh is asked again

    const replay = magusSource(null, store, clock);
    expect(await replay.judge({ ...n, thesis: 'reworded' }, o)).toMatchObject({ pTrue: 0.3, credits: 0 });
    await expect(replay.judge(narrative({ id: 'never-asked' }), o)).rejects.toMatchObject({ code: 'MAGUS_NOT_CONFIGURED' });
    await expect(replay.ask({ content: 'anything?' })).rejects.toMatchObject({ code: 'MAGUS_NOT_CONFIGURED' });
    expect(magus.asked).toHaveLength(3);
    store.close();
  });

  it('puts the strategy\'s context in the prompt, with the host clock\'s now', async () => {
    const clock = new ManualClock(now);
    const magus = judgingMagus(() => ({ pTrue: 0.2, confidence: 0.5, reasoning: 'far' }));
    const price = { asset: 'SOL', spot: 231.4, level: 250, kind: 'close' as const, direction: 'above' as const, modelPTrue: 0.213 };
    await magusSource(magus, new MemoryMagusUsage(), clock).judge(narrative({ id: 'c1' }), { maxAgeMs: 1, context: { deadlineMs: Date.parse('2026-05-22T00:00:00Z'), price } });
    expect(magus.asked[0]!.content).toContain('Now: 2026-05-20T12:00:00Z. Deadline: 2026-05-22T00:00:00Z.');
    expect(magus.asked[0]!.content).toContain('gives 21.3%');
  });
});
