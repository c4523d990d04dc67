// A tick never waits on the chain (issue 11): with a transaction refused in preflight (it may only be called failed
// once its blockhash provably expired, about 75 s later) and a 5 s poll interval, the feed keeps its schedule while
// the backing driver watches that transaction beside the tick loop. Virtual time: nothing sleeps for real, and time
// moves only when both loops are asleep, so the intervals measured are the ones the code asked for.
import { afterEach, describe, expect, it } from 'vitest';
import { runDaemon } from '../../../src/engine/daemon.js';
import type { LiveExecutor } from '../../../src/executor/live-executor.js';
import { applyFaults } from '../../../src/sim/routes/control.js';
import { startTimeForSeed } from '../../../src/sim/world/world.js';
import { capturingLogger, startLiveSim, type LiveSim } from '../../helpers/live-sim.js';
import { VirtualClock } from '../../helpers/virtual-clock.js';

let live: LiveSim | undefined;
let clock: VirtualClock | undefined;
afterEach(async () => {
  await (live?.agent.executor as LiveExecutor | undefined)?.stop();
  clock?.dispose();
  await live?.close();
  live = clock = undefined;
});

describe('a tick never waits on the chain', () => {
  it('with preflight refusals on one narrative and a 5 s poll interval, the feed is polled every 5–6 s while that transaction waits to expire', async () => {
    let executor: LiveExecutor | undefined;
    clock = new VirtualClock(startTimeForSeed(3), () => 1 + (executor?.driving ? 1 : 0));
    live = await startLiveSim({ clock, flags: { 'backing.background': true, 'backing.pollMs': 1000, 'poll.intervalSeconds': 5, 'poll.jitterSeconds': 0, 'risk.maxStakeSol': 0.05 } });
    executor = live.agent.executor as LiveExecutor;
    const refused = live.sim.state.world.feed(50).find((x) => x.status === 'open' || x.status === 'live')!;
    applyFaults(live.sim.state, { refuseNarratives: [refused.id] });

    const { logger } = capturingLogger();
    const stop = new AbortController();
    const { ticks, failures } = await runDaemon({ engine: live.agent.engine, clock, logger, signal: stop.signal, intervalMs: 5_000, jitterMs: 0, maxTicks: 24 });
    expect({ ticks, failures }).toEqual({ ticks: 24, failures: 0 });

    const db = live.agent.store.db;
    const row = db.prepare('SELECT id, state, error FROM backings WHERE narrative_id = ?').get(refused.id) as { id: number; state: string; error: string };
    expect(row.state).toBe('failed'); // refused, then provably expired: nothing moved
    expect(row.error).toMatch(/preflight refused/);
    const events = db.prepare('SELECT at, to_state FROM backing_events WHERE backing_id = ? ORDER BY id').all(row.id) as Array<{ at: string; to_state: string }>;
    const inFlightFrom = Date.parse(events[0]!.at);
    const inFlightTo = Date.parse(events.at(-1)!.at);
    expect(inFlightTo - inFlightFrom).toBeGreaterThan(60_000); // it did wait for its blockhash to expire

    const polls = (db.prepare(`SELECT at FROM api_calls WHERE route = '/v1/agent/feed' ORDER BY id`).pluck().all() as string[]).map((t) => Date.parse(t));
    expect(polls.length).toBe(24);
    const gaps = polls.slice(1).map((t, i) => t - polls[i]!);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(5_000);
      expect(gap).toBeLessThanOrEqual(6_000);
    }
    // polled throughout the wait, not only before and after it
    expect(polls.filter((t) => t > inFlightFrom && t < inFlightTo).length).toBeGreaterThanOrEqual(12);
    // and the other backings of those ticks went through beside it
    expect(Number(db.prepare(`SELECT COUNT(*) FROM backings WHERE state = 'reported'`).pluck().get())).toBeGreaterThan(0);
  }, 120_000);
});
