// Oracle verdicts through POST /v1/agent/resolve: the engine's gates and thresholds re-checked at the executor,
// evidence cut to 1,000 characters, journaled and idempotent per narrative, 400/404 final, everything else retried.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResolutionDecision } from '../../../src/core/decide-resolution.js';
import type { Narrative } from '../../../src/core/narrative.js';
import { isoNow } from '../../../src/ports/clock.js';
import { applyFaults } from '../../../src/sim/routes/control.js';
import { ROOT } from '../../helpers/cli.js';
import { startLiveSim, type LiveSim } from '../../helpers/live-sim.js';

const VERDICT_STRATEGY = join(ROOT, 'test', 'fixtures', 'strategies', 'verdict.mjs');
let live: LiveSim | undefined;
afterEach(async () => {
  await live?.close();
  live = undefined;
});

async function start() {
  live = await startLiveSim({ flags: { strategies: [{ path: VERDICT_STRATEGY }], 'resolution.enabled': true, 'resolution.minConfidence': 0.8 } });
  return live;
}

function openNarrative(l: LiveSim): Narrative {
  const n = l.sim.state.world.feed(50).find((x) => x.status === 'open' || x.status === 'live')!;
  return { id: n.id, title: n.title, thesis: n.thesis, category: n.category, oracleStatus: n.status, totalBackedLamports: n.totalBackedLamports, backerCount: n.backerCount, challengeCount: n.challengeCount, createdAt: new Date(n.createdAt).toISOString() };
}

function submit(l: LiveSim, narrative: Narrative, confidence = 0.9, evidence = 'e'.repeat(1500)) {
  const decision: ResolutionDecision = { narrativeId: narrative.id, action: 'resolve', resolution: true, confidence, evidence, reasons: ['test'] };
  const tickId = l.agent.store.beginTick(isoNow(l.clock));
  const decisionId = l.agent.store.recordResolutionDecision(tickId, decision, isoNow(l.clock));
  return l.agent.executor.submitResolution({ decision, decisionId, narrative });
}

const rows = (l: LiveSim) => l.agent.store.db.prepare('SELECT narrative_id, state, evidence, attempts, error FROM resolutions ORDER BY id').all() as Array<{ narrative_id: string; state: string; evidence: string; attempts: number; error: string | null }>;

describe('resolutions', () => {
  it('a tick submits agreed verdicts once each, evidence cut to 1,000 characters, and journals them accepted', async () => {
    const l = await start();
    const s = await l.agent.engine.tick();
    expect(s.resolved.length).toBeGreaterThan(0);
    expect(rows(l)).toHaveLength(s.resolved.length);
    // More verdicts than the per-key write budget allows in one burst: the rest wait, journaled, for later ticks.
    for (let i = 0; i < 10 && rows(l).some((r) => r.state !== 'accepted'); i++) {
      l.clock.advance(60_000);
      await l.agent.engine.tick();
    }
    const journal = rows(l);
    for (const r of journal) {
      expect(r.state).toBe('accepted');
      expect(r.evidence.length).toBeLessThanOrEqual(1000);
    }
    const sent = l.sim.state.resolutions.map((r) => r.narrativeId);
    expect(new Set(sent).size).toBe(sent.length); // never twice for one narrative
    expect(sent.sort()).toEqual(journal.map((r) => r.narrative_id).sort());
    for (const r of l.sim.state.resolutions) expect(r.evidence.length).toBeLessThanOrEqual(1000);
  });

  it('is idempotent per narrative: a second submission is not sent', async () => {
    const l = await start();
    const n = openNarrative(l);
    expect((await submit(l, n)).state).toBe('accepted');
    expect((await submit(l, n)).state).toBe('already-journaled');
    expect(l.sim.state.resolutions).toHaveLength(1);
  });

  it('refuses below resolution.minConfidence at the executor, whatever the caller decided', async () => {
    const l = await start();
    expect((await submit(l, openNarrative(l), 0.75)).state).toBe('refused');
    expect(rows(l)).toEqual([]);
    expect(l.sim.state.resolutions).toHaveLength(0);
  });

  it('takes 404 (unknown or ineligible narrative) and 400 as final answers', async () => {
    const l = await start();
    const unknown = { ...openNarrative(l), id: '00000000-0000-4000-8000-000000000000' };
    expect((await submit(l, unknown)).state).toBe('rejected');
    applyFaults(l.sim.state, { burst: { family: 'resolve', kind: 'error', count: 1, status: 400 } });
    expect((await submit(l, openNarrative(l))).state).toBe('rejected');
    expect(rows(l).map((r) => r.state)).toEqual(['rejected', 'rejected']);
    await l.agent.executor.resumePending!();
    expect(l.sim.state.resolutions).toHaveLength(0); // final: never sent again
  });

  it('retries a verdict that met a 503 or a halted oracle, and sends it once', async () => {
    const l = await start();
    const n = openNarrative(l);
    applyFaults(l.sim.state, { burst: { family: 'resolve', kind: 'error', count: 1, status: 503 } });
    expect((await submit(l, n)).state).toBe('submitted');
    applyFaults(l.sim.state, { halted: ['oracle'] });
    l.clock.advance(10_000);
    await l.agent.executor.resumePending!();
    expect(rows(l)[0]!.state).toBe('submitted');
    expect(l.logs.some((x) => x.message === 'resolution.waiting' && /protocol halted: oracle/.test(String(x.msg)))).toBe(true);
    applyFaults(l.sim.state, { halted: [] });
    l.clock.advance(10_000);
    await l.agent.executor.resumePending!();
    expect(rows(l)[0]).toMatchObject({ state: 'accepted', attempts: 2 });
    expect(l.sim.state.resolutions).toHaveLength(1);
  });
});
