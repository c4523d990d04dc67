// ctx.sources.narratives against the simulator: a plug-in (in its worker thread) reads a narrative's deadline,
// resolution date and pools from MAGMA's per-narrative read; each narrative is read about once however many ticks ask,
// within the public-read budget; without the source (backtests) a strategy simply goes on.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/cli.js';
import { startSimAgent, type SimAgent } from '../../helpers/sim-agent.js';

const READS_DETAILS = join(ROOT, 'test', 'fixtures', 'strategies', 'reads-details.mjs');
let t: SimAgent | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('narrative details for strategies', () => {
  it('gives a plug-in the deadline, resolution date and pools, reading each narrative about once', async () => {
    t = await startSimAgent({ seed: 9, flags: { strategies: [{ path: READS_DETAILS }] } });
    for (let i = 0; i < 40; i++) {
      await t.agent.engine.tick();
      t.clock.advance(60_000);
    }
    const db = t.agent.store.db;
    const rows = db.prepare(`SELECT n.id AS narrative_id, o.rationale FROM opinions o JOIN narratives n ON n.nid = o.nid WHERE o.strategy = 'reads-details'`).all() as Array<{ narrative_id: string; rationale: string }>;
    const read = rows.map((r) => ({ id: r.narrative_id, details: JSON.parse(r.rationale).details })).filter((r) => r.details !== null);
    expect(read.length).toBeGreaterThan(10);
    for (const r of read) {
      const n = t.sim.state.world.get(r.id)!;
      expect(r.details.deadlineMs).toBe(n.deadline);
      expect(r.details.resolutionMs).toBeGreaterThan(n.deadline);
      expect(r.details.truePoolUsd).toBeGreaterThanOrEqual(0);
      expect(r.details.falsePoolUsd).toBeGreaterThanOrEqual(0);
    }
    const calls = db.prepare(`SELECT COUNT(*) FROM api_calls WHERE route = '/v1/narratives/:id'`).pluck().get() as number;
    const distinct = new Set(read.map((r) => r.id)).size;
    // about one read per narrative (refreshed after 15 min, and outcome lookups share the route), never one per tick
    expect(calls).toBeLessThan(distinct * 4);
    expect(calls).toBeLessThan(40 * 50 / 4);
  });
});
