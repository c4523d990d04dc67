// Faults during a live backing, against the simulator on a shared manual clock: RPC down, a transaction that never
// confirms, an expired blockhash, the report endpoint failing for a while, 429 on backing, backing halted mid-flight.
// Each must end in a correct final state with nothing lost and no second transfer, and the log must say what
// happened in plain words.
import { describe, expect, it } from 'vitest';
import { isoNow } from '../../../src/ports/clock.js';
import { applyFaults } from '../../../src/sim/routes/control.js';
import { backOne, liveSimPerTest, said, STAKE, walletTransfers } from '../../helpers/live-backing.js';
import type { LiveSim } from '../../helpers/live-sim.js';

const start = liveSimPerTest({ 'backing.pollMs': 2000 });

/** One intent, one transfer, one report, journaled as reported. */
async function expectReportedOnce(l: LiveSim) {
  const rows = l.rows().filter((r) => r.state !== 'cancelled');
  expect(rows).toHaveLength(1);
  expect(rows[0]!.state).toBe('reported');
  const { transfers, reports } = await walletTransfers(l);
  expect(transfers.map((t) => t.signature)).toEqual([rows[0]!.signature]);
  expect(reports.map((r) => r.signature)).toEqual([rows[0]!.signature]);
  return rows[0]!;
}

describe('faults during a live backing', () => {
  it('RPC down after sending: the backing stays in flight, nothing is called failed, and it completes once the RPC is back', async () => {
    const { live: l, clock } = await start({ 'backing.confirmTimeoutSeconds': 30 });
    clock.hooks.push((n) => { if (n === 1) applyFaults(l.sim.state, { burst: { family: 'rpc', kind: 'error', count: -1, status: 503 } }); });
    const first = await backOne(l);
    expect(first.state).toBe('sent'); // not failed: a timeout is never a failure
    expect(said(l, 'rpc.unavailable')[0]).toMatch(/Solana RPC did not answer .* stays sent and is checked again/);
    expect(said(l, 'backing.pending')[0]).toMatch(/resumes on the next tick and nothing is lost/);
    clock.hooks.length = 0;
    applyFaults(l.sim.state, { clearBursts: true });
    await l.agent.executor.resumePending!();
    await expectReportedOnce(l);
  });

  it('MAGMA down as a backing lands: the report probes GET /v1/health, waits (the backing stays confirmed), and goes out once MAGMA is back', async () => {
    const { live: l, clock } = await start();
    // Once the transaction is sent, MAGMA's backend fails: the report answers 500 (not a halt: the gates stay as read);
    // after that every public read fails too (the gates were read just before the report and are kept a few seconds).
    let down = false;
    clock.hooks.push((n) => {
      if (n === 1) applyFaults(l.sim.state, { burst: { family: 'backing', kind: 'error', count: -1, status: 500 } });
      if (!down && said(l, 'backing.report_failed').length) {
        down = true;
        applyFaults(l.sim.state, { burst: { family: 'public', kind: 'error', count: -1, status: 503 } });
      }
    });
    const first = await backOne(l);
    expect(first.state).toBe('confirmed');
    expect(said(l, 'backing.report_waiting').some((m) => /MAGMA looks down \(the last call failed, and GET \/v1\/health: .*503/.test(m))).toBe(true);
    expect(l.agent.store.db.prepare(`SELECT COUNT(*) FROM api_calls WHERE route = '/v1/health'`).pluck().get()).toBeGreaterThan(0);
    const reportsTried = l.agent.store.db.prepare(`SELECT COUNT(*) FROM api_calls WHERE route = '/v1/narratives/:id/back'`).pluck().get() as number;
    expect(reportsTried).toBe(1); // the probe, not another report, while MAGMA is down
    clock.hooks.length = 0;
    applyFaults(l.sim.state, { clearBursts: true });
    clock.advance(60_000);
    await l.agent.executor.resumePending!();
    await expectReportedOnce(l);
  });

  it('RPC down before signing: the intent waits unsigned and is signed once the RPC is back and it is still wanted', async () => {
    const { live: l } = await start();
    applyFaults(l.sim.state, { burst: { family: 'rpc', kind: 'error', count: -1, status: 503 } });
    const first = await backOne(l);
    expect(first.state).toBe('intent');
    expect(said(l, 'backing.interrupted')[0]).toMatch(/stays intent: Solana RPC getBalance answered 503/);
    applyFaults(l.sim.state, { clearBursts: true });
    await l.agent.executor.resumePending!();
    await expectReportedOnce(l);
  });

  it('a transaction that never lands: resent, proven expired, signed again up to backing.maxSignings, then expired with nothing moved', async () => {
    const { live: l } = await start({ 'backing.maxSignings': 2, 'backing.confirmTimeoutSeconds': 600 });
    applyFaults(l.sim.state, { dropTransactions: 1000 });
    const result = await backOne(l);
    expect(result.state).toBe('expired');
    const row = l.rows()[0]!;
    expect(row.sign_count).toBe(2);
    const { transfers, ledger } = await walletTransfers(l);
    expect(transfers).toEqual([]);
    const attempts = l.agent.store.db.prepare('SELECT signature, outcome FROM backing_attempts WHERE backing_id = ? ORDER BY id').all(row.id) as Array<{ signature: string; outcome: string }>;
    expect(attempts.map((a) => a.outcome)).toEqual(['expired', 'expired']);
    for (const a of attempts) expect(ledger.dropped).toContain(a.signature);
    expect(said(l, 'backing.expired_attempt')[0]).toMatch(/expired without it landing \(nothing moved\); the intent is still wanted, signing again/);
    expect(said(l, 'backing.expired')[0]).toMatch(/nothing moved; not signing again: signed 2 times and never landed/);
    // the exposure it held is released: a closed intent does not count against the limits
    expect(l.agent.store.portfolioView('1970-01-01T00:00:00.000Z').exposure).toBe(0n);
  });

  it('an RPC without transaction history cannot prove an expiry: a landed backing is never signed again', async () => {
    const { live: l } = await start({ 'backing.confirmTimeoutSeconds': 600 });
    const narratives = l.sim.state.world.feed(50).filter((x) => x.status === 'open' || x.status === 'live');
    expect((await backOne(l, STAKE, narratives[0]!.id)).state).toBe('reported'); // a landed signature: the canary
    // From now on the node forgets every transaction at once (a node without history, seen long after the fact).
    applyFaults(l.sim.state, { statusHistorySlots: 0 });
    const second = await backOne(l, STAKE, narratives[1]!.id);
    expect(second.state).not.toBe('expired');
    const row = l.rows().find((r) => r.narrative_id === narratives[1]!.id)!;
    expect(row.sign_count).toBe(1); // never signed again
    expect(said(l, 'backing.unprovable')[0]).toMatch(/cannot prove this transaction expired: .*The backing stays in flight and is NOT signed again\. Check .* in an explorer/);
    expect(l.logs.find((x) => x.message === 'backing.unprovable')!.level).toBe('error');
    let { transfers } = await walletTransfers(l);
    expect(transfers.filter((t) => t.narrative_id === narratives[1]!.id)).toHaveLength(1); // it did land, once
    // An RPC with history again: the same intent completes, reported once, still one transfer.
    applyFaults(l.sim.state, { statusHistorySlots: null });
    await l.agent.executor.resumePending!();
    ({ transfers } = await walletTransfers(l));
    expect(transfers.filter((t) => t.narrative_id === narratives[1]!.id)).toHaveLength(1);
    expect(l.rows().find((r) => r.narrative_id === narratives[1]!.id)!.state).toBe('reported');
  });

  it('a report MAGMA refuses (404) does not hold the tick: the backing stays confirmed, and is reported once it is accepted', async () => {
    const { live: l, clock } = await start({ 'backing.confirmTimeoutSeconds': 600 });
    applyFaults(l.sim.state, { burst: { family: 'backing', kind: 'error', count: -1, status: 404 } });
    const before = clock.now();
    const result = await backOne(l);
    expect(result.state).toBe('confirmed');
    expect(clock.now() - before).toBeLessThan(120_000); // not the 600 s report wait
    expect(said(l, 'backing.report_refused')[0]).toMatch(/MAGMA refused the report of a confirmed backing .* tried again next tick/);
    applyFaults(l.sim.state, { clearBursts: true });
    await l.agent.executor.resumePending!(); // too soon: a refused report waits a minute (and for finalization)
    expect(l.rows()[0]!.state).toBe('confirmed');
    l.clock.advance(60_000);
    await l.agent.executor.resumePending!();
    await expectReportedOnce(l);
  });

  it('a repeated report refused with 409 after a crash is settled by MAGMA\'s history, not retried forever', async () => {
    const { live: l } = await start({ 'backing.confirmTimeoutSeconds': 600 });
    expect((await backOne(l)).state).toBe('reported');
    // As if killed after MAGMA acknowledged the report and before the journal kept it.
    const db = l.agent.store.db;
    db.prepare(`UPDATE backings SET state = 'confirmed', reported_at = NULL`).run();
    db.prepare(`UPDATE backing_attempts SET reported_at = NULL, report_json = NULL`).run();
    applyFaults(l.sim.state, { burst: { family: 'backing', kind: 'error', count: -1, status: 409 } });
    await l.agent.executor.resumePending!();
    const row = await expectReportedOnce(l);
    expect(said(l, 'backing.report_settled')[0]).toMatch(/history already lists this backing: taken as acknowledged/);
    expect(String(db.prepare('SELECT report_json FROM backing_attempts WHERE signature = ?').pluck().get(row.signature))).toMatch(/"settled_by":"history"/);
  });

  it('a report MAGMA verifies at finalized commitment is refused until then: it waits for finalization and is sent again, once', async () => {
    const { live: l } = await start({ 'backing.confirmTimeoutSeconds': 600 });
    applyFaults(l.sim.state, { reportsAtFinalized: true });
    const first = await backOne(l);
    expect(first.state).toBe('confirmed'); // refused right after confirmation: not finalized yet
    expect(said(l, 'backing.report_deferred')[0]).toMatch(/before the transaction was finalized .* sent again once the transaction is finalized/);
    expect(said(l, 'backing.report_refused')).toEqual([]); // not an error: nothing is wrong yet
    l.clock.advance(60_000);
    await l.agent.executor.resumePending!();
    await expectReportedOnce(l);
    expect(l.logs.filter((x) => x.level === 'error')).toEqual([]);
  });

  it('a report still refused once its transaction is finalized is an error the operator is told about, and it is tried again later', async () => {
    const { live: l } = await start({ 'backing.confirmTimeoutSeconds': 600 });
    applyFaults(l.sim.state, { reportsAtFinalized: true });
    expect((await backOne(l)).state).toBe('confirmed');
    applyFaults(l.sim.state, { burst: { family: 'backing', kind: 'error', count: -1, status: 400 } });
    l.clock.advance(60_000);
    await l.agent.executor.resumePending!();
    expect(l.rows()[0]!.state).toBe('confirmed');
    expect(said(l, 'backing.report_refused')[0]).toMatch(/MAGMA refused the report of a confirmed backing .* check the transaction in an explorer/);
    applyFaults(l.sim.state, { clearBursts: true });
    l.clock.advance(60_000);
    await l.agent.executor.resumePending!();
    await expectReportedOnce(l);
  });

  it('an expired blockhash: the first attempt is lost, proven expired, and the re-signed one lands; one transfer', async () => {
    const { live: l } = await start({ 'backing.maxSignings': 5 });
    applyFaults(l.sim.state, { blockhashTtl: 10, dropTransactions: 2 });
    const result = await backOne(l);
    expect(result.state).toBe('reported');
    const row = await expectReportedOnce(l);
    expect(Number(row.sign_count)).toBeGreaterThanOrEqual(2);
    const attempts = l.agent.store.db.prepare('SELECT outcome FROM backing_attempts WHERE backing_id = ? ORDER BY id').pluck().all(row.id);
    expect(attempts.at(-1)).toBe('landed');
    expect(attempts.slice(0, -1).every((o) => o === 'expired')).toBe(true);
  });

  it('the report endpoint failing for a while: the confirmed backing is reported once it answers, exactly once', async () => {
    const { live: l } = await start({ 'backing.confirmTimeoutSeconds': 20 });
    applyFaults(l.sim.state, { burst: { family: 'backing', kind: 'error', count: -1, status: 500 } });
    const first = await backOne(l);
    expect(first.state).toBe('confirmed');
    expect(said(l, 'backing.report_failed')[0]).toMatch(/report of a confirmed backing was not acknowledged .*retried until it is/);
    applyFaults(l.sim.state, { clearBursts: true });
    await l.agent.executor.resumePending!();
    await expectReportedOnce(l);
  });

  it('429 on backing reports: waits for retry-after and reports once', async () => {
    const { live: l } = await start();
    applyFaults(l.sim.state, { burst: { family: 'backing', kind: 'rate-limit', count: 2 } });
    const result = await backOne(l);
    expect(result.state).toBe('reported');
    await expectReportedOnce(l);
    expect(said(l, 'backing.report_failed')[0]).toMatch(/rate limited .*429/);
  });

  it('backing halted mid-flight: the transaction confirms, its report waits for the gate, then goes out once', async () => {
    const { live: l, clock } = await start({ 'backing.confirmTimeoutSeconds': 30 });
    clock.hooks.push((n) => { if (n === 1) applyFaults(l.sim.state, { halted: ['backing'] }); });
    const first = await backOne(l);
    expect(first.state).toBe('confirmed');
    expect(said(l, 'backing.report_waiting')[0]).toMatch(/report waits: protocol halted: backing/);
    expect((await walletTransfers(l)).reports).toEqual([]);
    // while halted, the engine backs nothing new
    const tick = await l.agent.engine.tick();
    expect(tick.backed).toEqual([]);
    clock.hooks.length = 0;
    applyFaults(l.sim.state, { halted: [] });
    l.clock.advance(60_000); // the next tick
    await l.agent.executor.resumePending!();
    await expectReportedOnce(l);
  });

  it('never signs an intent journaled for another wallet (the keypair was swapped): it is cancelled, saying why', async () => {
    const { live: l } = await start();
    const { SqliteJournal } = await import('../../../src/store/sqlite-journal.js');
    const journal = new SqliteJournal(l.agent.store);
    const tickId = l.agent.store.beginTick(isoNow(l.clock));
    const n = l.sim.state.world.feed(50).find((x) => x.status === 'open')!;
    const decisionId = l.agent.store.recordDecision(tickId, { narrativeId: n.id, action: 'back', stakeLamports: STAKE, pTrue: 0.9, confidence: 0.5, edge: 0.04, expectedValue: 0.01, reasons: [] }, isoNow(l.clock));
    const now = isoNow(l.clock);
    journal.openBacking({ intentKey: 'live:x', decisionId, narrativeId: n.id, category: n.category, stakeLamports: STAKE, wallet: 'OtherWa11et1111111111111111111111111111111' }, { now, dayStart: now, since: now }, () => null);
    await l.agent.executor.resumePending!();
    expect(l.rows()[0]).toMatchObject({ state: 'cancelled' });
    expect(String(l.rows()[0]!.error)).toMatch(/made for wallet OtherWa11et.* this agent now signs with/);
    expect((await walletTransfers(l)).transfers).toEqual([]);
  });

  it('a transaction the node refuses (the narrative closed meanwhile): failed once its blockhash expired, nothing moved', async () => {
    const { live: l } = await start({ 'backing.confirmTimeoutSeconds': 600 });
    const n = l.sim.state.world.feed(50).find((x) => x.status === 'open' || x.status === 'live')!;
    l.sim.state.world.resolveByVerdict(n.id, 'true', l.clock.now()); // after the engine decided, before the send
    const result = await backOne(l, STAKE, n.id);
    expect(result.state).toBe('failed');
    expect(said(l, 'backing.rejected')[0]).toMatch(/node refused the transaction .*waiting for its blockhash to expire before calling it failed/);
    expect(said(l, 'backing.failed')[0]).toMatch(/refused the transaction and its blockhash has expired: nothing moved/);
    expect((await walletTransfers(l)).transfers).toEqual([]);
    expect(l.rows()[0]!.sign_count).toBe(1); // a refusal is never signed again
  });

  it('the balance check counts the base fee, the configured priority fee, the backing record\'s rent and other intents in flight', async () => {
    // A new simulator wallet holds 20 SOL. One backing costs its stake + 5,000 (signature) + 600 (60,000 units at
    // 10,000 micro-lamports) + 2,010,000 (the record's rent bound) = stake + 2,015,600 lamports.
    const costs = 2_015_600n;
    const short = await start({ 'risk.minBalanceSol': Number(20_000_000_000n - STAKE - costs + 1n) / 1e9 });
    expect((await backOne(short.live)).state).toBe('cancelled');
    expect(String(short.live.rows()[0]!.error)).toMatch(/less than the stake plus fees and the backing record's rent, risk\.minBalanceSol \(20\.0000 SOL\)/);
    await short.live.close();

    const exact = await start({ 'risk.minBalanceSol': Number(20_000_000_000n - STAKE - costs) / 1e9, 'backing.confirmTimeoutSeconds': 600 });
    expect((await backOne(exact.live)).state).toBe('reported');
    await exact.live.close();

    // Room for one backing of 0.5 SOL, not two: the second is refused while the first is still in flight.
    const { live: l } = await start({ 'risk.minBalanceSol': 19, 'backing.confirmTimeoutSeconds': 5 });
    applyFaults(l.sim.state, { dropTransactions: 100 });
    const [a, b] = l.sim.state.world.feed(50).filter((x) => x.status === 'open' || x.status === 'live');
    expect((await backOne(l, 500_000_000n, a!.id)).state).toBe('sent');
    expect((await backOne(l, 500_000_000n, b!.id)).state).toBe('cancelled');
    expect(String(l.rows().find((r) => r.narrative_id === b!.id)!.error)).toMatch(/and 0\.5020 SOL for other backings in flight/);
  });
});
