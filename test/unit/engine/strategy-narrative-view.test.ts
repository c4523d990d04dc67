// What strategies see of MAGMA's per-narrative read: one read per narrative while fresh, and while MAGMA fails, no
// failing call per narrative per tick (a pause after each failure).
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { strategyNarrativeView } from '../../../src/engine/strategy-narrative-view.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { NarrativeDetail } from '../../../src/ports/magma-api.js';

const detail = (id: string) => ({ id, deadlineAt: '2026-02-01T00:00:00.000Z', resolutionDate: null, truePoolUsd: 10, falsePoolUsd: 5 }) as unknown as NarrativeDetail;

describe('strategy narrative view', () => {
  it('reads each narrative once while its copy is fresh', async () => {
    const clock = new ManualClock(0);
    let calls = 0;
    const view = strategyNarrativeView({ api: { narrative: async (id: string) => (calls++, detail(id)) }, clock, logger: silentLogger() });
    for (let tick = 0; tick < 5; tick++) for (const id of ['a', 'b', 'c']) expect((await view.details(id))?.truePoolUsd).toBe(10);
    expect(calls).toBe(3);
  });

  it('pauses reads for a minute after one fails, then reads again and serves what it read', async () => {
    const clock = new ManualClock(0);
    let calls = 0;
    let down = true;
    const view = strategyNarrativeView({
      api: { narrative: async (id: string) => { calls++; if (down) throw new Error('connect ECONNREFUSED'); return detail(id); } },
      clock, logger: silentLogger(),
    });
    for (let tick = 0; tick < 3; tick++) {
      for (const id of ['a', 'b', 'c', 'd']) expect(await view.details(id)).toBeNull();
      clock.advance(10_000);
    }
    expect(calls).toBe(1); // one failing call, not one per narrative per tick
    down = false;
    clock.advance(60_000);
    expect((await view.details('a'))?.deadlineMs).toBe(Date.parse('2026-02-01T00:00:00.000Z'));
    expect(calls).toBe(2);
  });
});
