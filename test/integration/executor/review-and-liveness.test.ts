// Issue 15 against the simulator: a narrative under review (or being scored) is neither backed nor resolved; a verdict
// is never sent while MAGMA's read shows it under review or resolved inside its challenge window; and after a failed
// call to MAGMA a write first probes GET /v1/health, waiting (journaled, nothing lost) while MAGMA is down.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResolutionDecision } from '../../../src/core/decide-resolution.js';
import type { Narrative } from '../../../src/core/narrative.js';
import { isoNow } from '../../../src/ports/clock.js';
import { applyFaults } from '../../../src/sim/routes/control.js';
import type { SimNarrative } from '../../../src/sim/world/world.js';
import { ROOT } from '../../helpers/cli.js';
import { startLiveSim, type LiveSim } from '../../helpers/live-sim.js';

const VERDICT_STRATEGY = join(ROOT, 'test', 'fixtures', 'strategies', 'verdict.mjs');
const GOOD_STRATEGY = join(ROOT, 'test', 'fixtures', 'strategies', 'good.mjs');
let live: LiveSim | undefined;
afterEach(async () => {
  await live?.close();
  live = undefined;
});

const asNarrative = (n: SimNarrative): Narrative => ({
  id: n.id, title: n.title, thesis: n.thesis, category: n.category, oracleStatus: 'open', totalBackedLamports: n.totalBackedLamports,
  backerCount: n.backerCount, challengeCount: n.challengeCount, createdAt: new Date(n.createdAt).toISOString(),
});

function submit(l: LiveSim, narrative: Narrative) {
  const decision: ResolutionDecision = { narrativeId: narrative.id, action: 'resolve', resolution: true, confidence: 0.9, evidence: 'e', reasons: ['test'] };
  const tickId = l.agent.store.beginTick(isoNow(l.clock));
  const decisionId = l.agent.store.recordResolutionDecision(tickId, decision, isoNow(l.clock));
  return l.agent.executor.submitResolution({ decision, decisionId, narrative });
}

const waited = (l: LiveSim, pattern: RegExp) => l.logs.some((x) => x.message === 'resolution.waiting' && pattern.test(String(x.msg)));

describe('narratives under review and MAGMA liveness', () => {
  it('a tick resolves the open narratives strategies propose verdicts on, never one under review or being scored', async () => {
    live = await startLiveSim({ flags: { strategies: [{ path: VERDICT_STRATEGY }, { path: GOOD_STRATEGY }], 'resolution.enabled': true, 'resolution.allowOwnPositions': true } });
    const open = live.sim.state.world.feed(50).filter((n) => n.status === 'open' || n.status === 'live');
    const [review, running] = [open[0]!, open[1]!];
    applyFaults(live.sim.state, { oracleStates: { [review.id]: 'under_review', [running.id]: 'running' } });
    const s = await live.agent.engine.tick();
    expect(s.resolved.length).toBeGreaterThan(0); // the others were resolved
    const db = live.agent.store.db;
    for (const n of [review, running]) {
      expect(db.prepare('SELECT COUNT(*) FROM backings WHERE narrative_id = ?').pluck().get(n.id)).toBe(0);
      expect(db.prepare('SELECT COUNT(*) FROM resolutions WHERE narrative_id = ?').pluck().get(n.id)).toBe(0);
      const reasons = db.prepare(`SELECT reasons_json FROM decisions WHERE narrative_id = ? AND kind = 'resolve'`).pluck().all(n.id) as string[];
      expect(reasons.join(' ')).toMatch(/not eligible \(oracle_status (under_review|running)\)/);
    }
    expect(live.sim.state.resolutions.some((r) => r.narrativeId === review.id || r.narrativeId === running.id)).toBe(false);
  });

  it('backs the open narratives a strategy likes, never one under review or being scored', async () => {
    live = await startLiveSim({ flags: { strategies: [{ path: GOOD_STRATEGY }] } });
    const open = live.sim.state.world.feed(50).filter((n) => n.status === 'open' || n.status === 'live');
    const held = open.slice(0, Math.ceil(open.length / 2));
    applyFaults(live.sim.state, { oracleStates: Object.fromEntries(held.map((n, i) => [n.id, i % 2 ? 'running' : 'under_review'])) });
    const s = await live.agent.engine.tick();
    expect(s.backed.length).toBeGreaterThan(0);
    const backed = new Set(live.agent.store.db.prepare('SELECT narrative_id FROM backings').pluck().all() as string[]);
    for (const n of held) expect(backed.has(n.id)).toBe(false);
  });

  it('holds a verdict while MAGMA reads the narrative under review and sends it once open again; never one resolved and in its challenge window', async () => {
    live = await startLiveSim({ flags: { strategies: [{ path: VERDICT_STRATEGY }], 'resolution.enabled': true } });
    const l = live;
    const n = l.sim.state.world.feed(50).find((x) => x.status === 'open' || x.status === 'live')!;
    applyFaults(l.sim.state, { oracleStates: { [n.id]: 'under_review' } });
    expect((await submit(l, asNarrative(n))).state).toBe('intent'); // the feed's copy said open: MAGMA's read decides
    expect(waited(l, /under review/)).toBe(true);
    expect(l.sim.state.resolutions).toHaveLength(0);
    applyFaults(l.sim.state, { oracleStates: { [n.id]: null } });
    l.clock.advance(20_000);
    await l.agent.executor.resumePending!();
    expect(l.sim.state.resolutions.map((r) => r.narrativeId)).toEqual([n.id]);

    // A narrative the oracle resolved, still inside its challenge window: the window decides it, never a verdict
    // (a final answer: it is not sent, now or later).
    l.clock.advance(4 * 24 * 3_600_000);
    const resolved = l.sim.state.world.narratives().find((x) => x.resolvedAt !== null && x.resolvedBy === 'oracle' && x.outcome !== 'refund')!;
    applyFaults(l.sim.state, { challengeWindowMinutes: 10 * 24 * 60 });
    expect((await submit(l, asNarrative(resolved))).state).toBe('rejected');
    expect(l.logs.some((x) => x.message === 'resolution.rejected' && /already resolved_(true|false); its challenge window decides it until/.test(String(x.msg)))).toBe(true);
    await l.agent.executor.resumePending!();
    expect(l.sim.state.resolutions).toHaveLength(1);
  });

  it('after a failed call, a verdict probes GET /v1/health and waits while MAGMA is down, then goes out', async () => {
    live = await startLiveSim({ flags: { strategies: [{ path: VERDICT_STRATEGY }], 'resolution.enabled': true } });
    const l = live;
    const [a, b] = l.sim.state.world.feed(50).filter((x) => x.status === 'open' || x.status === 'live');
    expect((await submit(l, asNarrative(a!))).state).toBe('accepted'); // gates read and kept
    // MAGMA goes down: the feed fails, and so does every public read (health included)
    applyFaults(l.sim.state, { burst: [{ family: 'feed', kind: 'error', count: -1 }, { family: 'public', kind: 'error', count: -1 }] });
    await expect(l.agent.api.feed()).rejects.toThrow();
    expect((await submit(l, asNarrative(b!))).state).toBe('intent');
    expect(waited(l, /MAGMA looks down .*GET \/v1\/health/)).toBe(true);
    expect(l.sim.state.resolutions).toHaveLength(1);
    const probes = l.agent.store.db.prepare(`SELECT COUNT(*) FROM api_calls WHERE route = '/v1/health'`).pluck().get() as number;
    expect(probes).toBeGreaterThan(0);
    applyFaults(l.sim.state, { clearBursts: true });
    l.clock.advance(20_000);
    await l.agent.executor.resumePending!();
    expect(l.sim.state.resolutions.map((r) => r.narrativeId)).toEqual([a!.id, b!.id]);
  });
});
