// The simulator's faults for RPCs that are not one full node (issue 11), as real nodes behave: a status node lagging
// N blocks (its statuses, confirmations and context.slot as of its own height; a batch goes to it whole), a node
// without history (a status window of N slots), an outage that starts when a transfer lands, preflight refusals for
// one narrative; and "Blockhash not found" for landed bytes whose blockhash expired (age is checked first).
import { Keypair } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFaults } from '../../src/sim/routes/control.js';
import { DEVNET_BACKING_PROGRAM_ID } from '../../src/sim/simulator.js';
import { backingTx, http, openNarrative, register, rpc, startSim, type TestSim } from './helpers.js';

let t: TestSim;
let apiKey: string;
beforeAll(async () => {
  t = await startSim({ seed: 12 });
  apiKey = await register(t.base, Keypair.generate());
});
afterAll(() => t.sim.stop());

async function backOnce(narrativeId: string) {
  const bh = (await rpc(t.base, 'getLatestBlockhash')).result.value.blockhash as string;
  const tx = backingTx({ programId: DEVNET_BACKING_PROGRAM_ID, narrativeId, backer: Keypair.generate(), lamports: 10_000_000n, blockhash: bh, nowMs: t.clock.now(), priceMicroLamports: 0 });
  return { tx, sent: await rpc(t.base, 'sendTransaction', [tx, { encoding: 'base64' }]) };
}

describe('simulated RPC view faults', () => {
  it('a status node 80 blocks behind: recent transactions unknown, context.slot behind, heights from the caught-up node', async () => {
    applyFaults(t.sim.state, { reset: true, statusLagBlocks: 80 });
    const n = await openNarrative(t.base, apiKey);
    const { sent } = await backOnce(n.id);
    const sig = sent.result as string;
    const tip = (await rpc(t.base, 'getBlockHeight', [{ commitment: 'processed' }])).result as number;
    let st = (await rpc(t.base, 'getSignatureStatuses', [[sig]])).result;
    expect(st).toMatchObject({ context: { slot: tip - 80 }, value: [null] });
    t.clock.advance(81 * 400);
    st = (await rpc(t.base, 'getSignatureStatuses', [[sig]])).result;
    expect(st.value[0]).toMatchObject({ confirmationStatus: 'processed' });
    const epoch = (await rpc(t.base, 'getEpochInfo', [{ commitment: 'finalized' }])).result;
    expect(epoch.blockHeight).toBe(tip + 81 - 32); // the caught-up node
  });

  it('a node without history forgets statuses older than its window', async () => {
    applyFaults(t.sim.state, { reset: true, statusHistorySlots: 300 });
    const n = await openNarrative(t.base, apiKey);
    const sig = (await backOnce(n.id)).sent.result as string;
    t.clock.advance(300 * 400);
    expect((await rpc(t.base, 'getSignatureStatuses', [[sig]])).result.value[0]).not.toBeNull();
    t.clock.advance(2 * 400);
    expect((await rpc(t.base, 'getSignatureStatuses', [[sig]])).result.value).toEqual([null]);
  });

  it('landed bytes whose blockhash expired are "Blockhash not found", not "already processed"', async () => {
    applyFaults(t.sim.state, { reset: true });
    const n = await openNarrative(t.base, apiKey);
    const { tx } = await backOnce(n.id);
    expect((await rpc(t.base, 'sendTransaction', [tx, { encoding: 'base64' }])).error?.message).toMatch(/already been processed/);
    t.clock.advance(200 * 400);
    expect((await rpc(t.base, 'sendTransaction', [tx, { encoding: 'base64' }])).error?.message).toMatch(/Blockhash not found/);
  });

  it('refuses one narrative in preflight, and starts an outage when a transfer lands', async () => {
    const a = await openNarrative(t.base, apiKey);
    const b = t.sim.state.world.feed(50).find((x) => x.id !== a.id && (x.status === 'open' || x.status === 'live'))!;
    applyFaults(t.sim.state, { reset: true, refuseNarratives: [a.id], rpcOutageOnLand: 2 });
    expect((await backOnce(a.id)).sent.error).toMatchObject({ code: -32002, message: expect.stringMatching(/custom program error: 0x1773/) });
    expect((await backOnce(b.id)).sent.result).toEqual(expect.any(String)); // lands; the outage starts after it
    const down = await http(t.base, 'POST', '/rpc', { jsonrpc: '2.0', id: 1, method: 'getBlockHeight', params: [] });
    expect(down.status).toBe(503);
    await http(t.base, 'POST', '/rpc', { jsonrpc: '2.0', id: 2, method: 'getBlockHeight', params: [] });
    expect((await http(t.base, 'POST', '/rpc', { jsonrpc: '2.0', id: 3, method: 'getBlockHeight', params: [] })).status).toBe(200);
  });
});
