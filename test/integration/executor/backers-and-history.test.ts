// Issue 15: reconciliation past a full page of MAGMA's history (its 100 most recent backings): a confirmed backing
// older than the page is looked up among its narrative's backers (GET /v1/narratives/:id/backers) by signature: listed
// there it is old, not missing; absent there it is missing, and said loudly. And `history` shows how each backing
// settled, with the oracle's confidence.
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RpcChain } from '../../../src/chain/rpc-chain.js';
import { signBackNarrative } from '../../../src/chain/sign-back-narrative.js';
import { LiveExecutor } from '../../../src/executor/live-executor.js';
import { HttpTransport } from '../../../src/http/transport.js';
import { loadKeypair } from '../../../src/wallet/keypair.js';
import { runCli } from '../../helpers/cli.js';
import { startLiveSim, type LiveSim } from '../../helpers/live-sim.js';

let live: LiveSim | undefined;
afterEach(async () => {
  await live?.close();
  live = undefined;
});

describe('reconciliation past a full page of history', () => {
  it('tells an old backing (among its narrative\'s backers) from a missing one', async () => {
    live = await startLiveSim({ flags: { 'risk.maxOpenPositions': 1 } });
    const l = live;
    await l.agent.engine.tick();
    const mine = l.rows().filter((r) => r.state === 'reported') as Array<{ narrative_id: string; signature: string }>;
    expect(mine).toHaveLength(1);

    // Another client on this wallet backs 100 times since: MAGMA's history page no longer reaches the agent's backing.
    const keypair = loadKeypair(join(dirname(l.agent.dbPath), 'wallet.json'));
    const transport = new HttpTransport({ baseUrl: l.sim.urls.rpc, timeoutMs: 5_000 });
    const chain = new RpcChain({ transport, commitment: 'confirmed' });
    const open = l.sim.state.world.feed(50).filter((x) => x.status === 'open' || x.status === 'live');
    for (let i = 0; i < 100; i++) {
      const bh = await chain.getLatestBlockhash();
      const tx = signBackNarrative({ keypair, programId: l.sim.state.programId, narrativeId: open[i % open.length]!.id, lamports: 1_000_000n + BigInt(i), deadlineUnix: BigInt(Math.floor(l.clock.now() / 1000) + 86_400), blockhash: bh.blockhash, lastValidBlockHeight: bh.lastValidBlockHeight, computeUnitLimit: 60_000, computeUnitPriceMicroLamports: 0 });
      expect((await chain.sendTransaction(tx.wire)).ok).toBe(true);
      l.clock.advance(1_000);
    }
    await transport.close();
    l.clock.advance(5_000);

    const executor = l.agent.executor as LiveExecutor;
    const old = await executor.reconcile();
    expect(old!.api).toBe(100);
    expect(old!.unknownToJournal).toHaveLength(100);
    expect(old!.olderListed).toBe(1);
    expect(old!.missingFromApi).toEqual([]);

    // MAGMA loses the agent's backing: now it is proven missing.
    const byNarrative = l.sim.state.backingsByNarrative.get(mine[0]!.narrative_id)!;
    l.sim.state.backingsByNarrative.set(mine[0]!.narrative_id, byNarrative.filter((b) => b.signature !== mine[0]!.signature));
    const wallet = keypair.publicKey.toBase58();
    l.sim.state.backingsByWallet.set(wallet, l.sim.state.backingsByWallet.get(wallet)!.filter((b) => b.signature !== mine[0]!.signature));
    const missing = await executor.reconcile();
    expect(missing!.olderListed).toBe(0);
    expect(missing!.missingFromApi.map((m) => m.signature)).toEqual([mine[0]!.signature]);
    await new Promise((r) => setTimeout(r, 50));
    const loud = l.logs.find((x) => x.message === 'reconcile.missing_backing')!;
    expect(loud.level).toBe('error');
    expect(loud.msg).toMatch(/nor among the narrative's backers/);

    // A backer of the same amount listed without its transaction signature may be this one: unverified, not missing.
    const lost = byNarrative.find((b) => b.signature === mine[0]!.signature)!;
    l.sim.state.backingsByWallet.get(wallet)!.unshift({ ...lost, signature: '' }); // older than the history page
    l.sim.state.backingsByNarrative.get(mine[0]!.narrative_id)!.push({ ...lost, signature: '' });
    const blind = await executor.reconcile();
    expect(blind!.missingFromApi).toEqual([]);
    expect(blind!.olderListed).toBe(0);
    expect(blind!.unverified).toBe(1);
  });
});

describe('history with recorded outcomes', () => {
  it('shows beside each backing MAGMA lists how it settled and how sure the oracle was', async () => {
    live = await startLiveSim({ flags: { 'risk.maxOpenPositions': 3 } });
    const l = live;
    for (let tick = 0; tick < 5 * 24 * 6; tick++) {
      await l.agent.engine.tick();
      l.clock.advance(10 * 60_000);
    }
    const settled = l.agent.store.db.prepare(`SELECT COUNT(*) FROM backings b JOIN outcomes o ON o.narrative_id = b.narrative_id AND o.source = 'oracle' WHERE b.dry_run = 0`).pluck().get() as number;
    expect(settled).toBeGreaterThan(0);
    const env = { MAGMA_API_URL: l.sim.urls.api, MAGMA_RPC_URL: l.sim.urls.rpc, MAGMA_DATA_DIR: dirname(l.agent.dbPath) };
    const json = JSON.parse((await runCli(['history', '--json'], env)).stdout) as { positions: Array<{ outcome: { outcome: string; confidence: number | null; sources: unknown[] } | null }> };
    const withOutcome = json.positions.filter((p) => p.outcome);
    expect(withOutcome.length).toBeGreaterThan(0);
    // a refund has no oracle result (nothing was scored); every TRUE or FALSE has the oracle's confidence
    const decided = withOutcome.filter((p) => p.outcome!.outcome !== 'refund');
    expect(decided.length).toBeGreaterThan(0);
    for (const p of decided) expect(p.outcome!.confidence).toBeGreaterThanOrEqual(0.7);
    expect((await runCli(['history'], env)).stdout).toMatch(/settled \(oracle\)[\s\S]*(true|false|refund), oracle \d+%/);
  }, 120_000);
});
