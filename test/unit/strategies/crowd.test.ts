import { describe, expect, it } from 'vitest';
import { rationaleOf } from '../../../src/core/strategy.js';
import crowd from '../../../strategies/crowd.js';
import type { NarrativeSnapshot } from 'magma-agent/strategy';
import { narrative } from '../../helpers/narratives.js';
import { strategyContext } from '../../helpers/strategy-context.js';

const NOW = Date.parse('2026-04-07T12:00:00Z');
const ctx = (history: NarrativeSnapshot[] = [], options = {}) => strategyContext({ now: NOW, history, options });
const snap = (hoursAgo: number, backerCount: number, challengeCount: number): NarrativeSnapshot => ({
  observedAt: new Date(NOW - hoursAgo * 3_600_000).toISOString(), observedMs: NOW - hoursAgo * 3_600_000, oracleStatus: 'live', totalBackedLamports: 0n, backerCount, challengeCount,
});

describe('crowd strategy', () => {
  it('has no opinion before anyone has spoken', async () => {
    expect(await crowd.evaluate(narrative({ backerCount: 0, challengeCount: 0 }), ctx())).toBeNull();
  });

  it('shrinks the backer share toward 0.5 on thin evidence, with low confidence', async () => {
    const thin = await crowd.evaluate(narrative({ backerCount: 2, challengeCount: 0 }), ctx());
    expect(thin!.pTrue).toBeCloseTo((2 + 3) / (2 + 6), 10); // prior of 6 pseudo-participants
    expect(thin!.confidence).toBeCloseTo(2 / 27, 10);
    const thick = await crowd.evaluate(narrative({ backerCount: 90, challengeCount: 10 }), ctx());
    expect(thick!.pTrue).toBeCloseTo(93 / 106, 10);
    expect(thick!.confidence).toBeGreaterThan(0.75);
  });

  it('tilts toward how the latest participants split (momentum)', async () => {
    const n = narrative({ backerCount: 30, challengeCount: 30 });
    const flat = await crowd.evaluate(n, ctx());
    const turning = await crowd.evaluate(n, ctx([snap(5, 10, 30)]));
    expect(flat!.pTrue).toBeCloseTo(0.5, 10);
    expect(turning!.pTrue).toBeGreaterThan(0.6); // the last 20 newcomers all backed
    expect(rationaleOf(turning!)).toContain('+20/+0');
    const stale = await crowd.evaluate(n, ctx([snap(30, 10, 30)])); // older than the window
    expect(stale!.pTrue).toBeCloseTo(0.5, 10);
  });

  it('reads its options from config', async () => {
    const n = narrative({ backerCount: 2, challengeCount: 0 });
    const noPrior = await crowd.evaluate(n, ctx([], { priorStrength: 0 }));
    expect(noPrior!.pTrue).toBe(1);
  });
});
