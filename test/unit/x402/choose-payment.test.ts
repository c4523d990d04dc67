// Which offer of a 402 the configuration lets the agent pay: both protocol versions, each cap and allow-list, and
// the reason given when none may be paid.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import { choosePayment, type Offer } from '../../../src/x402/choose-payment.js';

const MAINNET = 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp';
const DEVNET = 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1';
const USDC = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v';
const PAYEE = '9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin';

const policy = (over: Partial<Config['x402']> = {}): Config['x402'] => ({
  ...loadConfig({ env: {} }).config.x402, maxPerCallUsd: 0.01, maxPerDayUsd: 1, allowedPayees: [PAYEE], ...over,
});
const v2 = (over: Partial<Offer> = {}): Offer => ({ scheme: 'exact', network: MAINNET, asset: USDC, payTo: PAYEE, amount: '5000', ...over });

describe('choosePayment', () => {
  it('never pays with the defaults (both caps 0)', () => {
    const c = choosePayment([v2()], loadConfig({ env: {} }).config.x402, 0);
    expect(c).toMatchObject({ ok: false, code: 'X402_NOT_ALLOWED' });
    expect(!c.ok && c.reason).toContain('payments are off');
  });

  it('pays a v2 offer within both caps, its amount in USD by the asset decimals', () => {
    expect(choosePayment([v2()], policy(), 0)).toEqual({ ok: true, index: 0, network: MAINNET, amount: 5000n, usd: 0.005 });
  });

  it('reads a v1 offer (maxAmountRequired, v1 network name) the same way', () => {
    const v1: Offer = { scheme: 'exact', network: 'solana', asset: USDC, payTo: PAYEE, maxAmountRequired: '7000' };
    expect(choosePayment([v1], policy(), 0)).toEqual({ ok: true, index: 0, network: MAINNET, amount: 7000n, usd: 0.007 });
  });

  it('refuses over the per-call cap, and over what is left of the day (a different code: it frees tomorrow)', () => {
    expect(choosePayment([v2({ amount: '20000' })], policy(), 0)).toMatchObject({ ok: false, code: 'X402_NOT_ALLOWED', usd: 0.02 });
    const day = choosePayment([v2()], policy({ maxPerDayUsd: 0.1 }), 0.099);
    expect(day).toMatchObject({ ok: false, code: 'X402_DAILY_CAP' });
    expect(!day.ok && day.reason).toContain('over x402.maxPerDayUsd');
  });

  it('pays up to a cap exactly, though the float sum of the day lands a hair past it (0.1 + 0.1 + 0.1)', () => {
    const dime = v2({ amount: '100000' }); // $0.10
    const caps = policy({ maxPerCallUsd: 0.1, maxPerDayUsd: 0.3 });
    expect(choosePayment([dime], caps, 0.1 + 0.1)).toMatchObject({ ok: true, usd: 0.1 });
    expect(choosePayment([dime], caps, 0.1 + 0.1 + 0.1)).toMatchObject({ ok: false, code: 'X402_DAILY_CAP' });
    expect(choosePayment([v2({ amount: '100001' })], caps, 0)).toMatchObject({ ok: false, code: 'X402_NOT_ALLOWED' });
  });

  it('refuses a payee, asset, network or scheme not allowed, naming it', () => {
    const reason = (o: Offer) => {
      const c = choosePayment([o], policy(), 0);
      return c.ok ? null : c.reason;
    };
    expect(reason(v2({ payTo: '11111111111111111111111111111112' }))).toContain('payee 11111111111111111111111111111112 is not in x402.allowedPayees');
    expect(reason(v2({ asset: 'So11111111111111111111111111111111111111112' }))).toContain('not in x402.allowedAssets');
    expect(reason(v2({ network: DEVNET }))).toContain(`network ${DEVNET} is not in x402.allowedNetworks`);
    expect(reason(v2({ scheme: 'upto' }))).toContain('scheme "upto"');
    expect(reason(v2({ amount: '1e3' }))).toContain('not a whole number');
  });

  it('takes the first offer it may pay, and reports the first refusal when it may pay none', () => {
    const offers = [v2({ payTo: '11111111111111111111111111111112' }), v2({ amount: '3000' })];
    expect(choosePayment(offers, policy(), 0)).toMatchObject({ ok: true, index: 1, amount: 3000n });
    expect(choosePayment([], policy(), 0)).toMatchObject({ ok: false, reason: 'the 402 answer offered no way to pay' });
  });
});
