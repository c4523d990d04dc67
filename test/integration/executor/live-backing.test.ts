// The live executor against the simulator: a tick backs, confirms and reports; the simulator's ledger matches the
// journal exactly, transfer for transfer and report for report.
import { afterEach, describe, expect, it } from 'vitest';
import { payoutModel, settledPnlLamports } from '../../../src/core/payout.js';
import { LiveExecutor } from '../../../src/executor/live-executor.js';
import { portfolioAccounts } from '../../../src/executor/portfolio-accounting.js';
import { SqliteJournal } from '../../../src/store/sqlite-journal.js';
import { RpcChain } from '../../../src/chain/rpc-chain.js';
import { signBackNarrative } from '../../../src/chain/sign-back-narrative.js';
import { HttpTransport } from '../../../src/http/transport.js';
import { loadKeypair } from '../../../src/wallet/keypair.js';
import { dirname, join } from 'node:path';
import { syncState } from '../../../src/sim/sim-state.js';
import { backOne } from '../../helpers/live-backing.js';
import { startLiveSim, type LiveSim } from '../../helpers/live-sim.js';

let live: LiveSim | undefined;
afterEach(async () => {
  await live?.close();
  live = undefined;
});

describe('live backing against the simulator', () => {
  it('backs, confirms and reports, and the ledger matches the journal exactly', async () => {
    live = await startLiveSim();
    const summary = await live.agent.engine.tick();
    expect(summary.backed.length).toBeGreaterThan(0);
    const rows = live.rows();
    expect(rows.length).toBe(summary.backed.length);
    for (const r of rows) {
      expect(r.state).toBe('reported');
      expect(r.dry_run).toBe(0);
      expect(r.sign_count).toBe(1);
      expect(r.signature).toEqual(expect.any(String));
    }
    const ledger = await live.ledger();
    const wallet = live.agent.walletAddress;
    const transfers = ledger.transfers.filter((t) => t.kind === 'backing' && t.wallet === wallet);
    const fromJournal = rows.map((r) => ({ signature: r.signature, narrative_id: r.narrative_id, lamports: String(r.stake_lamports) })).sort((a, b) => String(a.signature).localeCompare(String(b.signature)));
    const fromLedger = transfers.map((t) => ({ signature: t.signature, narrative_id: t.narrative_id, lamports: String(t.lamports) })).sort((a, b) => a.signature.localeCompare(b.signature));
    expect(fromLedger).toEqual(fromJournal);
    const reports = ledger.reports.filter((r) => r.wallet === wallet).map((r) => ({ signature: r.signature, narrative_id: r.narrative_id, lamports: String(r.lamports) })).sort((a, b) => a.signature.localeCompare(b.signature));
    expect(reports).toEqual(fromJournal);
    // the priority fee was paid on top of the base fee
    const fees = ledger.transfers.filter((t) => t.kind === 'fee' && t.wallet === wallet);
    expect(fees).toHaveLength(rows.length);
    for (const f of fees) expect(BigInt(f.lamports)).toBeGreaterThan(5000n);
    // every step of each row is in its event log
    const steps = live.agent.store.db.prepare(`SELECT to_state FROM backing_events WHERE backing_id = ? ORDER BY id`).pluck().all(rows[0]!.id);
    expect(steps).toEqual(['intent', 'signed', 'sent', 'confirmed', 'reported']);
    expect(live.logs.some((l) => l.message === 'reconcile.done')).toBe(true);
  });

  it('a second tick backs nothing twice and the start-up reconciliation finds the journal and MAGMA in agreement', async () => {
    live = await startLiveSim();
    await live.agent.engine.tick();
    const before = live.rows().length;
    live.clock.advance(60_000);
    await live.agent.engine.tick();
    const rows = live.rows();
    const narratives = rows.filter((r) => r.state !== 'cancelled').map((r) => r.narrative_id);
    expect(new Set(narratives).size).toBe(narratives.length); // scaleIn is off: one position per narrative
    expect(rows.length).toBeGreaterThanOrEqual(before);
    const done = live.logs.find((l) => l.message === 'reconcile.done')!;
    expect(done.differences).toBe(0);
  });

  it('refuses at the executor what would break a risk limit, whatever asked for it', async () => {
    live = await startLiveSim({ flags: { 'risk.maxDailySol': 0.6 } });
    await live.agent.engine.tick();
    const rows = live.rows();
    const spent = rows.filter((r) => r.state === 'reported').reduce((a, r) => a + BigInt(r.stake_lamports as number), 0n);
    expect(spent).toBeLessThanOrEqual(600_000_000n);
  });

  it('counts risk.maxDailySol over a rolling 24 hours, across a UTC midnight', async () => {
    live = await startLiveSim({ flags: { 'risk.maxDailySol': 0.5, 'risk.maxStakeSol': 0.5 } });
    const l = live;
    // An hour before the next UTC midnight of the simulated clock.
    const midnight = (Math.floor(l.clock.now() / 86_400_000) + 1) * 86_400_000;
    l.clock.advance(midnight - 3_600_000 - l.clock.now());
    const open = () => (syncState(l.sim.state), l.sim.state.world.feed(50)).filter((x) => x.status === 'open' || x.status === 'live').map((x) => x.id)
      .filter((id) => !l.rows().some((r) => r.narrative_id === id));
    const first = await backOne(l, 500_000_000n, open()[0]);
    expect(first.state).toBe('reported');
    l.clock.advance(2 * 3_600_000 - (l.clock.now() - (midnight - 3_600_000))); // 01:00: a new UTC day, 2 hours later
    const refused = await backOne(l, 500_000_000n, open()[0]);
    expect(refused.state).toBe('cancelled');
    expect(String(l.rows().at(-1)!.error)).toMatch(/in the last 24 hours would reach 1 SOL|in the last 24 hours would reach 1\.0+ SOL/);
    l.clock.advance(midnight + 23 * 3_600_000 + 60_000 - l.clock.now()); // 24 hours and a minute after the first
    expect((await backOne(l, 500_000_000n, open()[0])).state).toBe('reported');
  });

  it('accounts open stakes and settled profit and loss in lamports, and agrees with MAGMA\'s portfolio', async () => {
    live = await startLiveSim();
    const journal = new SqliteJournal(live.agent.store);
    // Backings per tick are bounded by the per-wallet rate: a few ticks a minute apart give a few positions.
    for (let i = 0; i < 5 && portfolioAccounts(journal).open.length < 2; i++) {
      await live.agent.engine.tick();
      live.clock.advance(60_000);
    }
    const before = portfolioAccounts(journal);
    expect(before.open.length).toBeGreaterThan(1);
    expect(before.openStakeLamports).toBe(before.open.reduce((a, p) => a + p.stakeLamports, 0n));
    const summary = await (live.agent.executor as LiveExecutor).reconcile();
    expect(summary).toMatchObject({ unknownToJournal: [], missingFromApi: [], openMismatches: 0 });

    const payout = payoutModel('current');
    const [lost, won] = before.open;
    live.agent.store.recordOutcome({ narrativeId: lost!.narrativeId, outcome: 'false', resolvedAt: null, source: 'test' }, '2026-01-05T00:00:00.000Z', (s, o) => settledPnlLamports(payout, s, o));
    live.agent.store.recordOutcome({ narrativeId: won!.narrativeId, outcome: 'true', resolvedAt: null, source: 'test' }, '2026-01-05T00:00:00.000Z', (s, o) => settledPnlLamports(payout, s, o));
    const after = portfolioAccounts(journal);
    expect(after.settled).toHaveLength(2);
    expect(after.realisedPnlLamports).toBe(settledPnlLamports(payout, lost!.stakeLamports, 'false') + settledPnlLamports(payout, won!.stakeLamports, 'true'));
    expect(after.realisedPnlLamports < 0n).toBe(true); // a FALSE forfeits 35%, a TRUE gains a few percent
    expect(after.openStakeLamports).toBe(before.openStakeLamports - lost!.stakeLamports - won!.stakeLamports);
  });

  it('logs loudly a backing MAGMA lists that the journal does not know (another client on this wallet)', async () => {
    live = await startLiveSim({ flags: { 'risk.maxOpenPositions': 1 } });
    await live.agent.engine.tick();
    // Someone else signs with the same wallet, outside this agent.
    const keypair = loadKeypair(join(dirname(live.agent.dbPath), 'wallet.json'));
    const transport = new HttpTransport({ baseUrl: live.sim.urls.rpc, timeoutMs: 5_000 });
    const chain = new RpcChain({ transport, commitment: 'confirmed' });
    const n = live.sim.state.world.feed(50).find((x) => x.status === 'open' && !live!.rows().some((r) => r.narrative_id === x.id))!;
    const bh = await chain.getLatestBlockhash();
    const tx = signBackNarrative({ keypair, programId: live.sim.state.programId, narrativeId: n.id, lamports: 7_000_000n, deadlineUnix: BigInt(Math.floor(live.clock.now() / 1000) + 86_400), blockhash: bh.blockhash, lastValidBlockHeight: bh.lastValidBlockHeight, computeUnitLimit: 60_000, computeUnitPriceMicroLamports: 0 });
    expect((await chain.sendTransaction(tx.wire)).ok).toBe(true);
    await transport.close();
    live.clock.advance(5_000);
    const summary = await (live.agent.executor as LiveExecutor).reconcile();
    expect(summary!.unknownToJournal).toEqual([{ narrativeId: n.id, amountLamports: 7_000_000n }]);
    await new Promise((r) => setTimeout(r, 50));
    const loud = live.logs.find((l) => l.message === 'reconcile.unknown_backing')!;
    expect(loud.level).toBe('error');
    expect(loud.msg).toMatch(/does not know: is another client using this wallet\?/);
  });
});
