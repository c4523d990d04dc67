import { Keypair, PublicKey, TransactionInstruction } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVNET_BACKING_PROGRAM_ID } from '../../src/sim/simulator.js';
import { backingTx, openNarrative, register, rpc, startSim, type TestSim } from './helpers.js';

const PROGRAM = DEVNET_BACKING_PROGRAM_ID;
let t: TestSim;
let apiKey: string;
const agentWallet = Keypair.generate();

beforeAll(async () => {
  t = await startSim({ seed: 11 });
  apiKey = await register(t.base, agentWallet);
});
afterAll(() => t.sim.stop());

async function freshBlockhash(): Promise<string> {
  const r = await rpc(t.base, 'getLatestBlockhash');
  return r.result.value.blockhash;
}

async function balance(k: Keypair): Promise<number> {
  return (await rpc(t.base, 'getBalance', [k.publicKey.toBase58(), { commitment: 'processed' }])).result.value;
}

async function send(b64: string) {
  return rpc(t.base, 'sendTransaction', [b64, { encoding: 'base64' }]);
}

describe('sendTransaction', () => {
  it('accepts a correct backing, charges the fee, moves the stake and confirms it with simulated time', async () => {
    const backer = Keypair.generate();
    const n = await openNarrative(t.base, apiKey);
    const before = await balance(backer);
    const tx = backingTx({ programId: PROGRAM, narrativeId: n.id, backer, lamports: 250_000_000n, blockhash: await freshBlockhash(), nowMs: t.clock.now(), priceMicroLamports: 1000 });
    const sent = await send(tx);
    expect(sent.error).toBeUndefined();
    const sig = sent.result as string;
    // 5000 per signature + ceil(1000 µlamports × 100k units / 1e6) = 5100 lamports fee.
    expect(before - (await balance(backer))).toBe(250_000_000 + 5100);
    // At the default (finalized) and confirmed commitments a node does not count it yet.
    expect((await rpc(t.base, 'getBalance', [backer.publicKey.toBase58()])).result.value).toBe(before);
    expect((await rpc(t.base, 'getBalance', [backer.publicKey.toBase58(), { commitment: 'confirmed' }])).result.value).toBe(before);

    let st = (await rpc(t.base, 'getSignatureStatuses', [[sig, '1111111111111111111111111111111111111111111111111111111111111111']])).result;
    expect(st.value[0].confirmationStatus).toBe('processed');
    expect(st.value[1]).toBeNull();
    t.clock.advance(2 * 400);
    st = (await rpc(t.base, 'getSignatureStatuses', [[sig]])).result;
    expect(st.value[0]).toMatchObject({ confirmationStatus: 'confirmed', err: null, status: { Ok: null } });
    t.clock.advance(32 * 400);
    st = (await rpc(t.base, 'getSignatureStatuses', [[sig]])).result;
    expect(st.value[0]).toMatchObject({ confirmationStatus: 'finalized', confirmations: null });

    const world = t.sim.state.world.get(n.id)!;
    expect(world.walletBackers.has(backer.publicKey.toBase58())).toBe(true);
    expect(t.sim.state.chain.vaults.get(n.id)).toBe(250_000_000n);

    // The exact same bytes again: refused as a node does, nothing moves.
    const afterFirst = await balance(backer);
    const replay = await send(tx);
    expect(replay.error).toMatchObject({ code: -32002, message: 'Transaction simulation failed: This transaction has already been processed' });
    expect(await balance(backer)).toBe(afterFirst);
  });

  it('rejects each malformed variant with the error a real node gives and moves nothing', async () => {
    const n = await openNarrative(t.base, apiKey);
    const bh = await freshBlockhash();
    const now = t.clock.now();
    const vaultBefore = t.sim.state.chain.vaults.get(n.id) ?? 0n;
    const transfersBefore = t.sim.state.chain.transfers.length;
    const cases: Array<[string, () => string, number, RegExp]> = [
      ['wrong discriminator', () => {
        const k = Keypair.generate();
        return backingTx({ programId: PROGRAM, narrativeId: n.id, backer: k, lamports: 10_000_000n, blockhash: bh, nowMs: now,
          mutate: (ix) => { const data = Buffer.from(ix.data); data[0] = 1; return new TransactionInstruction({ programId: ix.programId, keys: ix.keys, data }); } });
      }, -32002, /Error processing Instruction 0: custom program error: 0x65$/],
      ['wrong PDA', () => {
        const k = Keypair.generate();
        return backingTx({ programId: PROGRAM, narrativeId: n.id, backer: k, lamports: 10_000_000n, blockhash: bh, nowMs: now,
          mutate: (ix) => new TransactionInstruction({ programId: ix.programId, keys: ix.keys.map((m, i) => (i === 2 ? { ...m, pubkey: Keypair.generate().publicKey } : m)), data: ix.data }) });
      }, -32002, /custom program error: 0x7d6$/],
      ['missing signature', () => backingTx({ programId: PROGRAM, narrativeId: n.id, backer: Keypair.generate(), lamports: 10_000_000n, blockhash: bh, nowMs: now, sign: false }),
        -32003, /^Transaction signature verification failure$/],
      ['unknown blockhash', () => backingTx({ programId: PROGRAM, narrativeId: n.id, backer: Keypair.generate(), lamports: 10_000_000n, blockhash: new PublicKey(Buffer.alloc(32, 9)).toBase58(), nowMs: now }),
        -32002, /^Transaction simulation failed: Blockhash not found$/],
      ['amount below 0.001 SOL', () => backingTx({ programId: PROGRAM, narrativeId: n.id, backer: Keypair.generate(), lamports: 999_999n, blockhash: bh, nowMs: now }),
        -32002, /custom program error: 0x1770$/],
      ['amount above 10 SOL', () => backingTx({ programId: PROGRAM, narrativeId: n.id, backer: Keypair.generate(), lamports: 10_000_000_001n, blockhash: bh, nowMs: now }),
        -32002, /custom program error: 0x1771$/],
      ['unknown narrative', () => backingTx({ programId: PROGRAM, narrativeId: '00000000-0000-4000-8000-000000000000', backer: Keypair.generate(), lamports: 10_000_000n, blockhash: bh, nowMs: now }),
        -32002, /custom program error: 0xbc4$/],
      ['other program id', () => backingTx({ programId: Keypair.generate().publicKey.toBase58(), narrativeId: n.id, backer: Keypair.generate(), lamports: 10_000_000n, blockhash: bh, nowMs: now }),
        -32002, /Attempt to load a program that does not exist/],
    ];
    for (const [name, make, code, message] of cases) {
      const r = await send(make());
      expect(r.error, name).toBeDefined();
      expect(r.error!.code, name).toBe(code);
      expect(r.error!.message, name).toMatch(message);
    }
    expect(t.sim.state.chain.vaults.get(n.id) ?? 0n).toBe(vaultBefore);
    expect(t.sim.state.chain.transfers.length).toBe(transfersBefore);
  });

  it('refuses a backing larger than the wallet holds with the System Program error, and a broke fee payer with the node\'s message', async () => {
    const n = await openNarrative(t.base, apiKey);
    const backer = Keypair.generate();
    // Drain: fund is 20 SOL; two 10 SOL backings cannot both fit after fees.
    const one = await send(backingTx({ programId: PROGRAM, narrativeId: n.id, backer, lamports: 10_000_000_000n, blockhash: await freshBlockhash(), nowMs: t.clock.now() }));
    expect(one.error).toBeUndefined();
    t.clock.advance(400);
    const two = await send(backingTx({ programId: PROGRAM, narrativeId: n.id, backer, lamports: 10_000_000_000n, blockhash: await freshBlockhash(), nowMs: t.clock.now() }));
    expect(two.error!.message).toBe('Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1');
    expect(two.error!.data.logs.join('\n')).toMatch(/insufficient lamports/);

    const empty = new Keypair();
    t.sim.state.chain.balances.set(empty.publicKey.toBase58(), 0n);
    const three = await send(backingTx({ programId: PROGRAM, narrativeId: n.id, backer: empty, lamports: 10_000_000n, blockhash: await freshBlockhash(), nowMs: t.clock.now() }));
    expect(three.error).toMatchObject({ code: -32002, message: 'Transaction simulation failed: Attempt to debit an account but found no record of a prior credit.' });
  });

  it('keeps a blockhash valid for 150 blocks after its own height, and a finalized one 32 blocks less', async () => {
    const n = await openNarrative(t.base, apiKey);
    const tip = (await rpc(t.base, 'getLatestBlockhash', [{ commitment: 'processed' }])).result.value;
    const fin = (await rpc(t.base, 'getLatestBlockhash')).result.value;
    expect(tip.lastValidBlockHeight - fin.lastValidBlockHeight).toBe(32);
    expect(tip.lastValidBlockHeight).toBe((await rpc(t.base, 'getBlockHeight', [{ commitment: 'processed' }])).result + 150);
    const sendWith = (blockhash: string) => rpc(t.base, 'sendTransaction', [backingTx({ programId: PROGRAM, narrativeId: n.id, backer: Keypair.generate(), lamports: 10_000_000n, blockhash, nowMs: t.clock.now() }), { encoding: 'base64' }]);
    t.clock.advance(150 * 400);
    expect((await sendWith(tip.blockhash)).error).toBeUndefined();
    expect((await sendWith(fin.blockhash)).error).toMatchObject({ code: -32002, message: 'Transaction simulation failed: Blockhash not found', data: { err: 'BlockhashNotFound' } });
    t.clock.advance(400);
    expect((await sendWith(tip.blockhash)).error).toMatchObject({ code: -32002, message: 'Transaction simulation failed: Blockhash not found' });
  });

  it('answers unknown methods and bad encodings like a node', async () => {
    expect((await rpc(t.base, 'getFooBar')).error).toMatchObject({ code: -32601 });
    expect((await rpc(t.base, 'sendTransaction', ['%%%', { encoding: 'base64' }])).error).toMatchObject({ code: -32602, message: /^invalid base64 encoding/ });
    // A node's default encoding is base58: base64 bytes sent without { encoding: 'base64' } are refused, as on mainnet.
    const n = await openNarrative(t.base, apiKey);
    const b64 = backingTx({ programId: PROGRAM, narrativeId: n.id, backer: Keypair.generate(), lamports: 10_000_000n, blockhash: await freshBlockhash(), nowMs: t.clock.now() });
    const wrong = (await rpc(t.base, 'sendTransaction', [b64])).error;
    expect(wrong?.code).toBe(-32602);
    const asBase58 = (await import('bs58')).default.encode(Buffer.from(b64, 'base64'));
    expect(typeof (await rpc(t.base, 'sendTransaction', [asBase58])).result).toBe('string');
  });
});
