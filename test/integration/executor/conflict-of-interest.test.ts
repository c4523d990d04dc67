// Conflict of interest (issue 11): the agent never backs a narrative it submitted a verdict on, and never submits a
// verdict on one it holds, is backing or has an attempt in flight for: in the same tick and across ticks.
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RpcChain } from '../../../src/chain/rpc-chain.js';
import { signBackNarrative } from '../../../src/chain/sign-back-narrative.js';
import type { ResolutionDecision } from '../../../src/core/decide-resolution.js';
import type { Narrative } from '../../../src/core/narrative.js';
import { HttpTransport } from '../../../src/http/transport.js';
import { isoNow } from '../../../src/ports/clock.js';
import { applyFaults } from '../../../src/sim/routes/control.js';
import { loadKeypair } from '../../../src/wallet/keypair.js';
import { ROOT } from '../../helpers/cli.js';
import { said } from '../../helpers/live-backing.js';
import { startLiveSim, type LiveSim } from '../../helpers/live-sim.js';

const BOTH = join(ROOT, 'test', 'fixtures', 'strategies', 'verdict-and-back.mjs');
const VERDICT = join(ROOT, 'test', 'fixtures', 'strategies', 'verdict.mjs');

const openNarratives = (l: LiveSim): Narrative[] => l.sim.state.world.feed(50).filter((x) => x.status === 'open' || x.status === 'live').map((n) => ({
  id: n.id, title: n.title, thesis: n.thesis, category: n.category, oracleStatus: n.status, totalBackedLamports: n.totalBackedLamports,
  backerCount: n.backerCount, challengeCount: n.challengeCount, createdAt: new Date(n.createdAt).toISOString(),
}));

function submit(l: LiveSim, narrative: Narrative) {
  const decision: ResolutionDecision = { narrativeId: narrative.id, action: 'resolve', resolution: true, confidence: 0.9, evidence: 'e', reasons: ['test'] };
  const tickId = l.agent.store.beginTick(isoNow(l.clock));
  return l.agent.executor.submitResolution({ decision, decisionId: l.agent.store.recordResolutionDecision(tickId, decision, isoNow(l.clock)), narrative });
}

/** Another client on this wallet backs a narrative: MAGMA's portfolio lists it, the agent's journal does not. */
async function backedElsewhere(l: LiveSim, narrativeId: string) {
  const keypair = loadKeypair(join(dirname(l.agent.dbPath), 'wallet.json'));
  const transport = new HttpTransport({ baseUrl: l.sim.urls.rpc, timeoutMs: 5_000 });
  const chain = new RpcChain({ transport, commitment: 'confirmed' });
  const bh = await chain.getLatestBlockhash();
  const tx = signBackNarrative({ keypair, programId: l.sim.state.programId, narrativeId, lamports: 7_000_000n, deadlineUnix: BigInt(Math.floor(l.clock.now() / 1000) + 86_400), blockhash: bh.blockhash, lastValidBlockHeight: bh.lastValidBlockHeight, computeUnitLimit: 60_000, computeUnitPriceMicroLamports: 0 });
  expect((await chain.sendTransaction(tx.wire)).ok).toBe(true);
  await transport.close();
  l.clock.advance(5_000); // confirmed
}

const verdictFlags = { strategies: [{ path: VERDICT }], 'resolution.enabled': true, 'resolution.minConfidence': 0.8, 'resolution.allowOwnPositions': false };

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

  it('no verdict on a narrative MAGMA\'s portfolio lists, though the journal knows nothing of it', async () => {
    live = await startLiveSim({ flags: verdictFlags });
    const [held, free] = openNarratives(live);
    await backedElsewhere(live, held!.id);
    expect((await submit(live, held!)).state).toBe('refused');
    expect(said(live, 'resolution.refused')[0]).toMatch(/MAGMA's portfolio lists a position in it/);
    expect((await submit(live, free!)).state).toBe('accepted');
    expect(live.sim.state.resolutions.map((r) => r.narrativeId)).toEqual([free!.id]);
  });

  it('a portfolio that cannot be read, with no recent read, means no verdict (nothing journaled); once it answers, the verdict goes', async () => {
    live = await startLiveSim({ flags: verdictFlags });
    const [n] = openNarratives(live);
    applyFaults(live.sim.state, { burst: { family: 'agent', kind: 'error', count: -1, status: 503 } });
    expect((await submit(live, n!)).state).toBe('refused');
    expect(said(live, 'resolution.refused')[0]).toMatch(/MAGMA's portfolio could not be read .* no verdict is sent without knowing whether the wallet holds a position/);
    expect(live.agent.store.db.prepare('SELECT COUNT(*) FROM resolutions').pluck().get()).toBe(0);
    applyFaults(live.sim.state, { clearBursts: true });
    expect((await submit(live, n!)).state).toBe('refused'); // not asked again at once (one tick's verdicts ask once)
    live.clock.advance(15_000);
    expect((await submit(live, n!)).state).toBe('accepted');
  });

  it('a resumed verdict is checked again: withdrawn when MAGMA\'s portfolio now lists a position, and when older than an hour', async () => {
    live = await startLiveSim({ flags: verdictFlags });
    const [a, b] = openNarratives(live);
    applyFaults(live.sim.state, { burst: { family: 'resolve', kind: 'error', count: 2, status: 503 } });
    expect((await submit(live, a!)).state).toBe('submitted');
    expect((await submit(live, b!)).state).toBe('submitted');
    await backedElsewhere(live, a!.id);
    live.clock.advance(61_000); // the portfolio as last read is stale: read again
    await live.agent.executor.resumePending!();
    const state = (id: string) => live!.agent.store.db.prepare('SELECT state, error FROM resolutions WHERE narrative_id = ?').get(id) as { state: string; error: string };
    expect(state(a!.id)).toMatchObject({ state: 'rejected', error: expect.stringMatching(/^withdrawn, not sent again: MAGMA's portfolio lists a position/) });
    expect(state(b!.id).state).toBe('accepted');
    expect(live.sim.state.resolutions.map((r) => r.narrativeId)).toEqual([b!.id]);

    const [, , c] = openNarratives(live);
    applyFaults(live.sim.state, { burst: { family: 'resolve', kind: 'error', count: 1, status: 503 } });
    expect((await submit(live, c!)).state).toBe('submitted');
    live.clock.advance(61 * 60_000);
    await live.agent.executor.resumePending!();
    expect(state(c!.id)).toMatchObject({ state: 'rejected', error: expect.stringMatching(/min old; the strategies decide afresh/) });
  });
});
