// Conflict of interest (issue 11): the agent never backs a narrative it submitted a verdict on, and never submits a
// verdict on one it holds, is backing or has an attempt in flight for: in the same tick and across ticks.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/cli.js';
import { startLiveSim, type LiveSim } from '../../helpers/live-sim.js';

const BOTH = join(ROOT, 'test', 'fixtures', 'strategies', 'verdict-and-back.mjs');

let live: LiveSim | undefined;
afterEach(async () => {
  await live?.close();
  live = undefined;
});

describe('conflict of interest between verdicts and backings', () => {
  it('resolve-then-back in one tick: a narrative it submitted a verdict on is not backed, and one it backs gets no verdict, across ticks too', async () => {
    live = await startLiveSim({ flags: { strategies: [{ path: BOTH }], 'resolution.enabled': true, 'resolution.minConfidence': 0.8, 'resolution.allowOwnPositions': false, 'backing.confirmTimeoutSeconds': 5 } });
    const first = await live.agent.engine.tick();
    expect(first.resolved.length).toBeGreaterThan(0);
    live.clock.advance(60_000);
    await live.agent.engine.tick();
    const db = live.agent.store.db;
    const verdicts = new Set(db.prepare('SELECT narrative_id FROM resolutions WHERE dry_run = 0').pluck().all() as string[]);
    const backed = db.prepare(`SELECT narrative_id, state, error FROM backings WHERE dry_run = 0`).all() as Array<{ narrative_id: string; state: string; error: string | null }>;
    for (const b of backed.filter((x) => verdicts.has(x.narrative_id))) {
      expect(b.state, `backing of ${b.narrative_id}, a narrative with a verdict`).toBe('cancelled');
      expect(b.error).toMatch(/conflict of interest/);
    }
    const moved = backed.filter((b) => b.state !== 'cancelled').map((b) => b.narrative_id);
    for (const n of moved) expect(verdicts.has(n), `verdict on ${n}, a narrative it backs`).toBe(false);
    // Nothing of it reached MAGMA either: no verdict from this agent on a narrative its wallet moved money into.
    const ledger = await live.ledger();
    const transferred = new Set(ledger.transfers.filter((t) => t.kind === 'backing' && t.wallet === live!.agent.walletAddress).map((t) => t.narrative_id));
    const sent = live.sim.state.resolutions.map((r) => r.narrativeId);
    expect(sent.filter((n) => transferred.has(n))).toEqual([]);
  });
});
