// x402 in the simulator: the reference client (@x402/core + @x402/svm) pays a gated feed read; the local facilitator
// settles it in LiteSVM, and refuses a replayed payment and a tampered one.
import { generateKeyPairSigner, type KeyPairSigner } from '@solana/kit';
import { x402Client, x402HTTPClient } from '@x402/core/client';
import { ExactSvmScheme } from '@x402/svm/exact/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alignGlobalFetch } from '../../src/http/align-global-fetch.js';
import { SIM_X402_NETWORK } from '../../src/sim/x402/token-chain.js';
import { http, startSim, type TestSim } from './helpers.js';

let t: TestSim;
let payer: KeyPairSigner;

beforeEach(async () => {
  alignGlobalFetch();
  payer = await generateKeyPairSigner();
  t = await startSim({ x402: { amount: '2500', fund: [{ owner: payer.address, amount: 1_000_000n }] } });
});
afterEach(async () => {
  await t.sim.stop();
});

function client(): x402HTTPClient {
  const c = new x402Client().register(SIM_X402_NETWORK, new ExactSvmScheme(payer, { rpcUrl: `${t.base}/x402/rpc` }));
  c.setSpendControls({ allowedAssets: [{ network: SIM_X402_NETWORK, asset: t.sim.x402!.chain.mint }] });
  return new x402HTTPClient(c);
}

async function paymentFor(c: x402HTTPClient): Promise<Record<string, string>> {
  const challenge = await http(t.base, 'GET', '/v1/agent/feed');
  expect(challenge.status).toBe(402);
  const required = c.getPaymentRequiredResponse((n) => challenge.headers.get(n), challenge.body);
  return c.encodePaymentSignatureHeader(await c.createPaymentPayload(required));
}

const balances = async () => (await http(t.base, 'GET', `/__sim/x402?owner=${payer.address}`)).body as { pay_to: string; balances: Record<string, string> };

describe('x402-gated feed in the simulator', () => {
  it('answers 402 with a v2 challenge, serves a paid read once, and the transfer shows in LiteSVM balances', async () => {
    const c = client();
    const headers = await paymentFor(c);
    const paid = await http(t.base, 'GET', '/v1/agent/feed', undefined, headers);
    expect(paid.status).toBe(200);
    expect(Array.isArray(paid.body.narratives)).toBe(true);
    const settle = c.getPaymentSettleResponse((n) => paid.headers.get(n));
    expect(settle.success).toBe(true);
    const b = await balances();
    expect(b.balances[payer.address]).toBe(String(1_000_000 - 2500));
    expect(b.balances[b.pay_to]).toBe('2500');

    const replay = await http(t.base, 'GET', '/v1/agent/feed', undefined, headers);
    expect(replay.status).toBe(402);
    expect((await balances()).balances[payer.address]).toBe(String(1_000_000 - 2500));
  });

  it('refuses a payment whose amount was tampered with, and nothing moves', async () => {
    const c = client();
    const headers = await paymentFor(c);
    const [name, value] = Object.entries(headers)[0]!;
    const payload = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
    payload.accepted.amount = '1';
    const tampered = await http(t.base, 'GET', '/v1/agent/feed', undefined, { [name]: Buffer.from(JSON.stringify(payload)).toString('base64') });
    expect(tampered.status).toBe(402);
    const b = await balances();
    expect(b.balances[payer.address]).toBe('1000000');
    expect(b.balances[b.pay_to]).toBe('0');
  });

  it('refuses a transaction whose transfer amount was changed after signing (the payer signature no longer holds)', async () => {
    const c = client();
    const headers = await paymentFor(c);
    const [name, value] = Object.entries(headers)[0]!;
    const payload = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
    const tx = Buffer.from(payload.payload.transaction, 'base64');
    const amount = Buffer.alloc(8);
    amount.writeBigUInt64LE(2500n);
    const at = tx.indexOf(Buffer.concat([Buffer.from([12]), amount])); // TransferChecked: tag 12, u64 amount, decimals
    expect(at).toBeGreaterThan(0);
    tx.writeBigUInt64LE(25n, at + 1);
    payload.payload.transaction = tx.toString('base64');
    const tampered = await http(t.base, 'GET', '/v1/agent/feed', undefined, { [name]: Buffer.from(JSON.stringify(payload)).toString('base64') });
    expect(tampered.status).toBe(402);
    const b = await balances();
    expect(b.balances[payer.address]).toBe('1000000');
    expect(b.balances[b.pay_to]).toBe('0');
  });
});
