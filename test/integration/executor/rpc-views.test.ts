// Exactly once against RPCs that are not one full node (issue 11): a node without transaction history, a load
// balancer whose statuses come from a node 80 blocks behind, and an intent with several attempts on chain. Each
// sequence moved money twice, or left a landed transfer unreported, before the expiry proof was tied to one view.
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RpcChain } from '../../../src/chain/rpc-chain.js';
import { signBackNarrative } from '../../../src/chain/sign-back-narrative.js';
import { HttpTransport } from '../../../src/http/transport.js';
import { isoNow } from '../../../src/ports/clock.js';
import { applyFaults } from '../../../src/sim/routes/control.js';
import { startTimeForSeed } from '../../../src/sim/world/world.js';
import { SqliteJournal } from '../../../src/store/sqlite-journal.js';
import { loadKeypair } from '../../../src/wallet/keypair.js';
import { backOne, HookClock, said, STAKE, walletTransfers } from '../../helpers/live-backing.js';
import { startLiveSim, type LiveSim } from '../../helpers/live-sim.js';

let live: LiveSim | undefined;
afterEach(async () => {
  await live?.close();
  live = undefined;
});

async function start(flags: Record<string, unknown> = {}) {
  const clock = new HookClock(startTimeForSeed(3));
  live = await startLiveSim({ clock, flags: { 'backing.pollMs': 2000, 'backing.confirmTimeoutSeconds': 600, ...flags } });
  return { live, clock };
}

const openNarratives = (l: LiveSim) => l.sim.state.world.feed(50).filter((x) => x.status === 'open' || x.status === 'live');

describe('exactly once against RPCs that are not one full node', () => {
  it('sequence 1: a node without history forgets a landed first backing during an outage; it is never signed again, and is reported once a node shows it', async () => {
    const { live: l, clock } = await start();
    // A node that keeps statuses for 300 slots, and goes down the moment the transfer lands.
    applyFaults(l.sim.state, { statusHistorySlots: 300, rpcOutageOnLand: true });
    const n = openNarratives(l)[0]!;
    const first = await backOne(l, STAKE, n.id);
    expect(first.state).toBe('sent'); // landed, but the RPC went down before anything was seen
    // The outage lasts 10 minutes (1,500 slots): the status leaves the node's cache and the blockhash expires.
    clock.advance(600_000);
    applyFaults(l.sim.state, { clearBursts: true });
    await l.agent.executor.resumePending!();
    let row = l.rows().find((r) => r.narrative_id === n.id)!;
    expect(row.sign_count).toBe(1); // never signed again
    expect(['signed', 'sent']).toContain(row.state); // still in flight: nothing can prove it expired
    let { transfers, reports } = await walletTransfers(l);
    expect(transfers).toHaveLength(1);
    expect(reports).toHaveLength(0);
    const told = l.logs.find((x) => x.message === 'backing.unprovable')!;
    expect(told.level).toBe('error');
    expect(String(told.msg)).toMatch(/cannot prove this transaction expired: .*backing\.statusWindowSlots.*NOT signed again.*full transaction history/);
    expect(String(row.error)).toMatch(/^cannot prove this transaction expired/); // what `status` shows
    // A node with full history: the same intent completes, reported once, still one transfer.
    applyFaults(l.sim.state, { statusHistorySlots: null });
    await l.agent.executor.resumePending!();
    ({ transfers, reports } = await walletTransfers(l));
    row = l.rows().find((r) => r.narrative_id === n.id)!;
    expect(row.state).toBe('reported');
    expect(transfers.map((t) => t.signature)).toEqual([row.signature]);
    expect(reports.map((r) => r.signature)).toEqual([row.signature]);
  });

  it('sequence 2: statuses from a node 80 blocks behind; an attempt landing late in its validity is waited for, never signed again', async () => {
    const { live: l } = await start({ 'backing.resendMs': 2000 });
    // The first 27 sends are lost: the 28th (about 135 blocks after signing, of 148) lands late in its validity.
    applyFaults(l.sim.state, { statusLagBlocks: 80, dropTransactions: 27 });
    const n = openNarratives(l)[0]!;
    const result = await backOne(l, STAKE, n.id);
    expect(result.state).toBe('reported');
    const row = l.rows().find((r) => r.narrative_id === n.id)!;
    expect(row.sign_count).toBe(1);
    const { transfers, reports } = await walletTransfers(l);
    expect(transfers.map((t) => t.signature)).toEqual([row.signature]);
    expect(reports.map((r) => r.signature)).toEqual([row.signature]);
    expect(l.logs.filter((x) => x.level === 'error')).toEqual([]);
  });

  it('sequence 3: every attempt of an intent is watched; a second one that landed is journaled, reported and logged at error', async () => {
    const { live: l } = await start();
    const n = openNarratives(l)[0]!;
    // A journal a crash (or an older version) left behind: attempt A adopted, attempt B "superseded", both on chain.
    const keypair = loadKeypair(join(dirname(l.agent.dbPath), 'wallet.json'));
    const transport = new HttpTransport({ baseUrl: l.sim.urls.rpc, timeoutMs: 5_000 });
    const chain = new RpcChain({ transport, commitment: 'confirmed' });
    const sign = async () => {
      const bh = await chain.getLatestBlockhash();
      l.clock.advance(400); // the next attempt gets the next block's blockhash
      const tx = signBackNarrative({ keypair, programId: l.sim.state.programId, narrativeId: n.id, lamports: STAKE, deadlineUnix: BigInt(Math.floor(l.clock.now() / 1000) + 86_400), blockhash: bh.blockhash, lastValidBlockHeight: bh.lastValidBlockHeight, computeUnitLimit: 60_000, computeUnitPriceMicroLamports: 0 });
      return { signature: tx.signature, blockhash: bh.blockhash, lastValidBlockHeight: bh.lastValidBlockHeight, signedTx: tx.wire, signedSlot: bh.slot };
    };
    const a = await sign();
    const b = await sign();
    const journal = new SqliteJournal(l.agent.store);
    const tickId = l.agent.store.beginTick(isoNow(l.clock));
    const decisionId = l.agent.store.recordDecision(tickId, { narrativeId: n.id, action: 'back', stakeLamports: STAKE, pTrue: 0.9, confidence: 0.6, edge: 0.04, expectedValue: 0.01, reasons: [] }, isoNow(l.clock));
    const now = isoNow(l.clock);
    let row = journal.openBacking({ intentKey: 'live:seq3', decisionId, narrativeId: n.id, category: n.category, stakeLamports: STAKE, wallet: l.agent.walletAddress }, { now, dayStart: now, since: now }, () => null);
    row = journal.transition(row, 'signed', now, { attempt: a });
    row = journal.transition(row, 'sent', now);
    row = journal.transition(row, 'signed', now, { attempt: b });
    row = journal.adoptAttempt(row, a.signature, now);
    expect((await chain.sendTransaction(a.signedTx)).ok).toBe(true);
    expect((await chain.sendTransaction(b.signedTx)).ok).toBe(true);
    await transport.close();

    await l.agent.executor.resumePending!();
    const done = l.rows().find((r) => r.narrative_id === n.id)!;
    expect(done.state).toBe('reported');
    const { transfers, reports } = await walletTransfers(l);
    expect(transfers.map((t) => t.signature).sort()).toEqual([a.signature, b.signature].sort());
    expect(reports.map((r) => r.signature).sort()).toEqual([a.signature, b.signature].sort()); // both reported, once each
    const outcomes = l.agent.store.db.prepare('SELECT outcome FROM backing_attempts WHERE backing_id = ? ORDER BY id').pluck().all(done.id);
    expect(outcomes).toEqual(['landed', 'landed']);
    const loud = l.logs.find((x) => x.message === 'backing.second_transfer')!;
    expect(loud.level).toBe('error');
    expect(String(loud.msg)).toMatch(/moved money more than once.*counted against the limits and reported/);
    expect(said(l, 'backing.reported_extra')).toHaveLength(1);
  });

  it('a status seen at processed that disappears (a minority fork) resumes resending the same bytes: one transfer, one report, never signed again', async () => {
    const { live: l } = await start({ 'backing.resendMs': 2000 });
    applyFaults(l.sim.state, { forkDrop: 1 });
    const n = openNarratives(l)[0]!;
    expect((await backOne(l, STAKE, n.id)).state).toBe('reported');
    const row = l.rows().find((r) => r.narrative_id === n.id)!;
    expect(row.sign_count).toBe(1);
    expect(said(l, 'backing.status_lost')[0]).toMatch(/disappeared \(a minority fork\): resending the same bytes; it is never signed again/);
    const { transfers, reports } = await walletTransfers(l);
    expect(transfers.map((t) => t.signature)).toEqual([row.signature]);
    expect(reports.map((r) => r.signature)).toEqual([row.signature]);
    expect(l.agent.store.db.prepare('SELECT evidence FROM backing_attempts WHERE signature = ?').pluck().get(row.signature)).toBe('status');
    expect(l.sim.state.chain.forked.has(String(row.signature))).toBe(true); // it was on the fork first
  });
});
