// An x402 version 1 server (402 with the challenge in the JSON body, X-PAYMENT / X-PAYMENT-RESPONSE headers): the
// agent's client pays it once with the v1 `exact` scheme; the simulator's facilitator verifies and settles it in
// LiteSVM. A replay of the same X-PAYMENT is refused and moves nothing.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSigner, type KeyPairSigner } from '@solana/kit';
import type { PaymentPayload, PaymentRequirements } from '@x402/core/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { loadConfig } from '../../../src/config/load.js';
import { HttpTransport } from '../../../src/http/transport.js';
import { silentLogger } from '../../../src/log/logger.js';
import { HttpMagmaApi } from '../../../src/magma/http-magma-api.js';
import { Simulator } from '../../../src/sim/simulator.js';
import { startTimeForSeed } from '../../../src/sim/world/world.js';
import { localFacilitator, SIM_X402_NETWORK_V1 } from '../../../src/sim/x402/local-facilitator.js';
import { SIM_X402_NETWORK } from '../../../src/sim/x402/token-chain.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { X402Payments } from '../../../src/store/x402-payments.js';
import { SigningX402Payer } from '../../../src/x402/signing-payer.js';

let sim: Simulator;
let server: Server;
let base: string;
let payer: KeyPairSigner;
let store: SqliteStore;
let api: HttpMagmaApi;
const served: string[] = [];
/** Settles the payment, then drops the connection without an answer (the paid retry fails on the network). */
let dropAfterSettle = false;

beforeEach(async () => {
  payer = await generateKeyPairSigner();
  sim = new Simulator({ seed: 3, clock: new ManualClock(startTimeForSeed(3)), x402: { fund: [{ owner: payer.address, amount: 100_000n }] } });
  const urls = await sim.start();
  const x = sim.x402!;
  const facilitator = localFacilitator(x.chain);
  const requirements = (resource: string) => ({
    scheme: 'exact', network: SIM_X402_NETWORK_V1, maxAmountRequired: '3000', resource, description: 'v1 read', mimeType: 'application/json',
    payTo: x.payTo, maxTimeoutSeconds: 60, asset: x.chain.mint, outputSchema: {}, extra: { feePayer: x.chain.feePayer.address },
  });
  server = createServer((req, res) => {
    const resource = `http://${req.headers.host}${req.url}`;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const header = req.headers['x-payment'];
    if (typeof header !== 'string') return send(402, { x402Version: 1, error: 'X-PAYMENT header is required', accepts: [requirements(resource)] });
    const payload = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as PaymentPayload;
    const reqs = requirements(resource) as unknown as PaymentRequirements;
    void (async () => {
      const verified = await facilitator.verify(payload, reqs);
      if (!verified.isValid) return send(402, { x402Version: 1, error: verified.invalidReason, accepts: [requirements(resource)] });
      const settled = await facilitator.settle(payload, reqs);
      if (!settled.success) return send(402, { x402Version: 1, error: settled.errorReason, accepts: [requirements(resource)] });
      served.push(header);
      if (dropAfterSettle) return req.socket.destroy();
      send(200, { ok: true, narratives: [] }, { 'x-payment-response': Buffer.from(JSON.stringify(settled)).toString('base64') });
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  store = SqliteStore.open(':memory:');
  const x402 = {
    ...loadConfig({ env: {} }).config.x402, maxPerCallUsd: 0.01, maxPerDayUsd: 1, allowedAssets: [{ asset: x.chain.mint, decimals: 6 }],
    allowedNetworks: [SIM_X402_NETWORK], allowedPayees: [x.payTo], rpcUrl: `${urls.api}/x402/rpc`,
  };
  api = new HttpMagmaApi({
    transport: new HttpTransport({ baseUrl: base, timeoutMs: 5_000 }), apiKey: () => null, keyless: true,
    payer: new SigningX402Payer({ policy: x402, rpcUrl: x402.rpcUrl, signer: payer, payments: new X402Payments(store), clock: new ManualClock(startTimeForSeed(3)), logger: silentLogger() }),
  });
});

afterEach(async () => {
  store.close();
  await new Promise<void>((r) => server.close(() => r()));
  await sim.stop();
  served.length = 0;
  dropAfterSettle = false;
});

describe('x402 version 1', () => {
  it('pays a v1 challenge once with X-PAYMENT; the facilitator settles it in LiteSVM and refuses its replay', async () => {
    await api.feed();
    expect(await sim.x402!.chain.balance(payer.address)).toBe(97_000n);
    expect(await sim.x402!.chain.balance(sim.x402!.payTo)).toBe(3_000n);
    const [row] = new X402Payments(store).latest();
    expect(row).toMatchObject({ state: 'settled', x402Version: 1, amount: '3000', network: SIM_X402_NETWORK, usd: 0.003 });
    expect(row!.response).toMatchObject({ success: true });

    const replay = await fetch(`${base}/v1/agent/feed`, { headers: { 'x-payment': served[0]! } });
    expect(replay.status).toBe(402);
    expect(await sim.x402!.chain.balance(payer.address)).toBe(97_000n);
  });

  it('a paid retry that gets no answer is not sent again, stays counted against the day, and the error says so', async () => {
    dropAfterSettle = true;
    const err = await api.feed().then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'X402_PAYMENT_FAILED', message: expect.stringContaining('may have settled and was not sent again') });
    expect(served).toHaveLength(1); // one payment, never resent
    expect(await sim.x402!.chain.balance(payer.address)).toBe(97_000n); // it did move
    const payments = new X402Payments(store);
    expect(payments.latest()).toEqual([expect.objectContaining({ state: 'signed', usd: 0.003, reason: expect.stringContaining('no answer') })]);
    expect(payments.spentUsdSince('1970-01-01T00:00:00.000Z')).toBe(0.003);
  });
});
