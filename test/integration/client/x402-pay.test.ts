// x402 end to end against the simulator (its gate on the reference resource server, its facilitator settling in
// LiteSVM), through the agent as the composition builds it: key-less (api.auth "x402"), the feed read is paid once
// and served and the transfer shows in LiteSVM's balances; over a cap or to a payee not allowed nothing is paid and
// the error says why; a dry run never pays.
import { afterEach, describe, expect, it } from 'vitest';
import { isMagmaError } from '../../../src/core/errors.js';
import { SIM_X402_NETWORK } from '../../../src/sim/x402/token-chain.js';
import { X402Payments } from '../../../src/store/x402-payments.js';
import { startSimAgent, type SimAgent } from '../../helpers/sim-agent.js';

const PRICE = 2_500n; // 0.0025 test USDC a call
const FUNDED = 1_000_000n;
let t: SimAgent | null = null;

afterEach(async () => {
  await t?.close();
  t = null;
});

async function start(o: { dryRun?: boolean; x402?: Record<string, unknown>; fund?: bigint } = {}): Promise<SimAgent> {
  t = await startSimAgent({
    seed: 15,
    simOptions: { x402: { amount: String(PRICE) } },
    flags: (urls, sim) => ({
      dryRun: o.dryRun ?? false, 'api.auth': 'x402',
      x402: {
        maxPerCallUsd: 0.01, maxPerDayUsd: 1, allowedAssets: [{ asset: sim.x402!.chain.mint, decimals: 6, symbol: 'USDC' }],
        allowedNetworks: [SIM_X402_NETWORK], allowedPayees: [sim.x402!.payTo], rpcUrl: `${urls.api}/x402/rpc`, ...o.x402,
      },
    }),
  });
  await t.sim.x402!.chain.fund(t.agent.walletAddress, o.fund ?? FUNDED);
  return t;
}

const balances = async (a: SimAgent) => ({
  payer: await a.sim.x402!.chain.balance(a.agent.walletAddress),
  payee: await a.sim.x402!.chain.balance(a.sim.x402!.payTo),
});

async function refusal(a: SimAgent): Promise<unknown> {
  try {
    await a.agent.api.feed();
  } catch (err) {
    return err;
  }
  throw new Error('the feed was served without a payment');
}

describe('x402 pay-per-call through the agent', () => {
  it('pays a key-less feed read once, is served, and the transfer shows in LiteSVM and the journal', async () => {
    const a = await start();
    expect(a.agent.agentKey.source).toBe('x402');
    const feed = await a.agent.api.feed();
    expect(feed.narratives.length).toBeGreaterThan(0);
    expect(await balances(a)).toEqual({ payer: FUNDED - PRICE, payee: PRICE });
    const [row, ...rest] = new X402Payments(a.agent.store).latest();
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      state: 'settled', route: '/v1/agent/feed', amount: String(PRICE), usd: 0.0025, asset: a.sim.x402!.chain.mint,
      payTo: a.sim.x402!.payTo, network: SIM_X402_NETWORK, x402Version: 2, reason: null,
    });
    expect(row!.resource).toMatch(/\/v1\/agent\/feed$/);
    expect(row!.tx).toMatch(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
    expect(row!.response).toMatchObject({ success: true, transaction: row!.tx, network: SIM_X402_NETWORK });
    expect(row!.challenge).toMatchObject({ x402Version: 2, accepts: [{ amount: String(PRICE), payTo: a.sim.x402!.payTo }] });

    await a.agent.api.feed(); // a second read is a second payment
    expect(await balances(a)).toEqual({ payer: FUNDED - 2n * PRICE, payee: 2n * PRICE });
  });

  it('pays nothing over x402.maxPerCallUsd, and says so', async () => {
    const a = await start({ x402: { maxPerCallUsd: 0.001 } });
    const err = await refusal(a);
    expect(isMagmaError(err, 'X402_NOT_ALLOWED')).toBe(true);
    expect((err as Error).message).toContain('over x402.maxPerCallUsd');
    expect(await balances(a)).toEqual({ payer: FUNDED, payee: 0n });
    expect(new X402Payments(a.agent.store).latest()[0]).toMatchObject({ state: 'refused', amount: String(PRICE) });
  });

  it('pays nothing once the day would go over x402.maxPerDayUsd', async () => {
    const a = await start({ x402: { maxPerCallUsd: 0.003, maxPerDayUsd: 0.006 } });
    await a.agent.api.feed();
    await a.agent.api.feed();
    const err = await refusal(a);
    expect(isMagmaError(err, 'X402_DAILY_CAP')).toBe(true);
    expect((err as Error).message).toContain('over x402.maxPerDayUsd');
    expect(await balances(a)).toEqual({ payer: FUNDED - 2n * PRICE, payee: 2n * PRICE });
  });

  it('pays nothing to a payee not in x402.allowedPayees', async () => {
    const a = await start({ x402: { allowedPayees: ['11111111111111111111111111111112'] } });
    const err = await refusal(a);
    expect(isMagmaError(err, 'X402_NOT_ALLOWED')).toBe(true);
    expect((err as Error).message).toContain(`payee ${a.sim.x402!.payTo} is not in x402.allowedPayees`);
    expect(await balances(a)).toEqual({ payer: FUNDED, payee: 0n });
  });

  it('never pays in a dry run', async () => {
    const a = await start({ dryRun: true });
    const err = await refusal(a);
    expect(isMagmaError(err, 'X402_NOT_PAID')).toBe(true);
    expect(await balances(a)).toEqual({ payer: FUNDED, payee: 0n });
    expect(new X402Payments(a.agent.store).latest()[0]).toMatchObject({ state: 'refused' });
  });

  it('pays for only one of two reads made at once when the day has room for one', async () => {
    const a = await start({ x402: { maxPerCallUsd: 0.003, maxPerDayUsd: 0.004 } });
    const results = await Promise.allSettled([a.agent.api.feed(), a.agent.api.feed()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(isMagmaError(rejected.reason, 'X402_DAILY_CAP')).toBe(true);
    expect(await balances(a)).toEqual({ payer: FUNDED - PRICE, payee: PRICE });
  });

  it('journals a payment the facilitator could not settle (no funds) as failed, and does not retry it', async () => {
    const a = await start({ fund: 0n });
    const err = await refusal(a);
    expect(isMagmaError(err, 'X402_PAYMENT_FAILED')).toBe(true);
    expect((err as Error).message).toContain('answered 402');
    expect(new X402Payments(a.agent.store).latest()).toMatchObject([{ state: 'failed', tx: null }]);
    expect(await balances(a)).toEqual({ payer: 0n, payee: 0n });
  });
});
