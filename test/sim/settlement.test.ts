import { Keypair, TransactionInstruction } from '@solana/web3.js';
import { afterEach, describe, expect, it } from 'vitest';
import { DEVNET_BACKING_PROGRAM_ID } from '../../src/sim/simulator.js';
import { backingTx, http, openNarrative, register, rpc, startSim, type TestSim } from './helpers.js';

let t: TestSim | null = null;
afterEach(async () => {
  await t?.sim.stop();
  t = null;
});

async function setup(seed: number) {
  t = await startSim({ seed });
  const wallet = Keypair.generate();
  const key = await register(t.base, wallet);
  const n = await openNarrative(t.base, key);
  const bh = async () => (await rpc(t!.base, 'getLatestBlockhash')).result.value.blockhash as string;
  const balance = async () => (await rpc(t!.base, 'getBalance', [wallet.publicKey.toBase58(), { commitment: 'processed' }])).result.value as number;
  return { t, wallet, key, n, bh, balance };
}

describe('settlement and confirmation faults', () => {
  it('pays a FALSE-resolved backing back 65% of its principal, and counts it in conviction', async () => {
    const { t, wallet, key, n, bh, balance } = await setup(41);
    const start = await balance();
    const sent = await rpc(t.base, 'sendTransaction', [backingTx({ programId: DEVNET_BACKING_PROGRAM_ID, narrativeId: n.id, backer: wallet, lamports: 1_000_000_000n, blockhash: await bh(), nowMs: t.clock.now() }), { encoding: 'base64' }]);
    expect(sent.error).toBeUndefined();
    t.clock.advance(1200);
    const verdict = await http(t.base, 'POST', '/v1/agent/resolve', { narrative_id: n.id, resolution: 'false', evidence: 'path says no', confidence: 0.95 }, { 'x-api-key': key });
    expect(verdict.status).toBe(200);
    expect(await balance()).toBe(start - 1_000_000_000 - 5000 + 650_000_000);
    const c = (await http(t.base, 'GET', `/v1/conviction/${wallet.publicKey.toBase58()}`)).body;
    expect(c).toMatchObject({ correct_backings: 0, incorrect_backings: 1, accuracy_rate: 0, current_streak: 0 });
    const ledger = (await http(t.base, 'GET', '/__sim/ledger')).body;
    expect(ledger.transfers.map((x: any) => x.kind)).toEqual(['fee', 'backing', 'settlement']);
    expect((await http(t.base, 'GET', '/v1/agent/portfolio', undefined, { 'x-api-key': key })).body.positions).toEqual([]);
    const lb = (await http(t.base, 'GET', '/v1/agent/leaderboard')).body.leaderboard[0];
    expect(lb.total_pnl_sol).toBeCloseTo(-0.35, 9);
  });

  it('pays a TRUE-resolved backing its principal plus the rule\'s gain × the multiplier locked at backing time', async () => {
    const { t, wallet, key, n, bh, balance } = await setup(44);
    const start = await balance();
    await rpc(t.base, 'sendTransaction', [backingTx({ programId: DEVNET_BACKING_PROGRAM_ID, narrativeId: n.id, backer: wallet, lamports: 1_000_000_000n, blockhash: await bh(), nowMs: t.clock.now() }), { encoding: 'base64' }]);
    t.clock.advance(1200);
    await http(t.base, 'POST', '/v1/agent/resolve', { narrative_id: n.id, resolution: 'true', evidence: 'yes', confidence: 0.95 }, { 'x-api-key': key });
    // current rule: 6% gross gain less the 1.5% platform fee = 5.91%; a new wallet's multiplier is 1.0.
    expect(await balance()).toBe(start - 1_000_000_000 - 5000 + 1_059_100_000);
    expect((await http(t.base, 'GET', `/v1/points/${wallet.publicKey.toBase58()}`)).body.total_points).toBe(10 + 50);
    expect((await http(t.base, 'GET', `/v1/conviction/${wallet.publicKey.toBase58()}`)).body).toMatchObject({ correct_backings: 1, current_streak: 1, accuracy_rate: 1 });
  });

  it('keeps transactions processed longer under slow confirmations, and refuses their report until confirmed', async () => {
    const { t, wallet, n, bh } = await setup(42);
    await http(t.base, 'POST', '/__sim/faults', { confirmBlocks: 50 });
    const sent = await rpc(t.base, 'sendTransaction', [backingTx({ programId: DEVNET_BACKING_PROGRAM_ID, narrativeId: n.id, backer: wallet, lamports: 20_000_000n, blockhash: await bh(), nowMs: t.clock.now() }), { encoding: 'base64' }]);
    t.clock.advance(10 * 400);
    expect((await rpc(t.base, 'getSignatureStatuses', [[sent.result]])).result.value[0].confirmationStatus).toBe('processed');
    const report = { wallet_address: wallet.publicKey.toBase58(), amount_sol: 0.02, amount_skr: 0, tx_signature: sent.result, token_type: 'SOL' };
    expect((await http(t.base, 'POST', `/v1/narratives/${n.id}/back`, report)).status).toBe(400);
    t.clock.advance(40 * 400);
    expect((await rpc(t.base, 'getSignatureStatuses', [[sent.result]])).result.value[0].confirmationStatus).toBe('confirmed');
    expect((await http(t.base, 'POST', `/v1/narratives/${n.id}/back`, report)).status).toBe(200);
  });

  it('lands a failing transaction sent with skipPreflight: fee charged, error in its status, nothing else moves', async () => {
    const { t, wallet, n, bh, balance } = await setup(43);
    const before = await balance();
    const tx = backingTx({ programId: DEVNET_BACKING_PROGRAM_ID, narrativeId: n.id, backer: wallet, lamports: 10_000_000n, blockhash: await bh(), nowMs: t.clock.now(),
      mutate: (ix) => { const data = Buffer.from(ix.data); data[0] = 0; return new TransactionInstruction({ programId: ix.programId, keys: ix.keys, data }); } });
    const sent = await rpc(t.base, 'sendTransaction', [tx, { encoding: 'base64', skipPreflight: true }]);
    expect(typeof sent.result).toBe('string');
    t.clock.advance(3 * 400);
    const st = (await rpc(t.base, 'getSignatureStatuses', [[sent.result]])).result.value[0];
    expect(st).toMatchObject({ err: { InstructionError: [0, { Custom: 101 }] }, status: { Err: { InstructionError: [0, { Custom: 101 }] } }, confirmationStatus: 'confirmed' });
    expect(await balance()).toBe(before - 5000);

    // Unknown blockhash with skipPreflight: answered, never lands.
    const lost = await rpc(t.base, 'sendTransaction', [backingTx({ programId: DEVNET_BACKING_PROGRAM_ID, narrativeId: n.id, backer: wallet, lamports: 10_000_000n, blockhash: '11111111111111111111111111111111', nowMs: t.clock.now() }), { encoding: 'base64', skipPreflight: true }]);
    expect(typeof lost.result).toBe('string');
    expect((await rpc(t.base, 'getSignatureStatuses', [[lost.result]])).result.value).toEqual([null]);
  });
});
