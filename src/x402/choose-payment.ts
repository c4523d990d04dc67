// Which of a 402's offers the agent may pay, by the configuration alone (PROTOCOL.md 7): scheme `exact` on an allowed
// network, in an allowed USD stablecoin, to an allowed payee, within x402.maxPerCallUsd and what is left of
// x402.maxPerDayUsd today. Version 1 offers (`maxAmountRequired`, v1 network names) and version 2 (`amount`, CAIP-2)
// alike. Pure: the payer journals and signs what this chooses.
import { V1_TO_V2_NETWORK_MAP } from '@x402/svm';
import type { Config } from '../config/schema.js';

/** One offer of a 402, either version (the fields both versions share, plus each one's amount field). */
export interface Offer {
  scheme: string;
  network: string;
  asset: string;
  payTo: string;
  amount?: string;
  maxAmountRequired?: string;
}

export type PaymentChoice =
  | { ok: true; index: number; network: string; amount: bigint; usd: number }
  | { ok: false; code: 'X402_NOT_ALLOWED' | 'X402_DAILY_CAP'; reason: string; offer: Offer | null; usd: number | null };

/** The CAIP-2 id of an offer's network (v1 names such as `solana` or `solana-devnet` mapped to it). */
export function caip2(network: string): string {
  return network.includes(':') ? network : V1_TO_V2_NETWORK_MAP[network] ?? network;
}

const usdOf = (amount: bigint, decimals: number) => Number(amount) / 10 ** decimals;
/** Float sums of USD amounts (0.1 + 0.2) land a hair past an exact cap: amounts within a micro-cent are equal. */
const over = (usd: number, cap: number) => usd - cap > 1e-9;
const fmt = (usd: number) => `$${usd.toFixed(usd < 0.01 ? 6 : 2)}`;

export function choosePayment(offers: readonly Offer[], policy: Config['x402'], spentTodayUsd: number): PaymentChoice {
  if (policy.maxPerCallUsd === 0 || policy.maxPerDayUsd === 0) {
    return { ok: false, code: 'X402_NOT_ALLOWED', offer: offers[0] ?? null, usd: null, reason: `payments are off (x402.maxPerCallUsd ${policy.maxPerCallUsd}, x402.maxPerDayUsd ${policy.maxPerDayUsd}; 0 = never pay)` };
  }
  let first: Exclude<PaymentChoice, { ok: true }> | null = null;
  const refuse = (code: 'X402_NOT_ALLOWED' | 'X402_DAILY_CAP', offer: Offer, reason: string, usd: number | null = null) => {
    first ??= { ok: false, code, offer, reason, usd };
  };
  for (const [index, o] of offers.entries()) {
    const network = caip2(o.network);
    const raw = o.amount ?? o.maxAmountRequired ?? '';
    const asset = policy.allowedAssets.find((a) => a.asset === o.asset);
    if (o.scheme !== 'exact') refuse('X402_NOT_ALLOWED', o, `scheme "${o.scheme}" is not supported (only "exact")`);
    else if (!policy.allowedNetworks.includes(network)) refuse('X402_NOT_ALLOWED', o, `network ${network} is not in x402.allowedNetworks`);
    else if (!asset) refuse('X402_NOT_ALLOWED', o, `asset ${o.asset} is not in x402.allowedAssets`);
    else if (!policy.allowedPayees.includes(o.payTo)) refuse('X402_NOT_ALLOWED', o, `payee ${o.payTo} is not in x402.allowedPayees`);
    else if (!/^\d+$/.test(raw)) refuse('X402_NOT_ALLOWED', o, `the amount "${raw}" is not a whole number of atomic units`);
    else {
      const amount = BigInt(raw);
      const usd = usdOf(amount, asset.decimals);
      if (over(usd, policy.maxPerCallUsd)) refuse('X402_NOT_ALLOWED', o, `${fmt(usd)} is over x402.maxPerCallUsd (${fmt(policy.maxPerCallUsd)})`, usd);
      else if (over(spentTodayUsd + usd, policy.maxPerDayUsd)) {
        refuse('X402_DAILY_CAP', o, `${fmt(usd)} would take today's payments to ${fmt(spentTodayUsd + usd)}, over x402.maxPerDayUsd (${fmt(policy.maxPerDayUsd)})`, usd);
      } else return { ok: true, index, network, amount, usd };
    }
  }
  return first ?? { ok: false, code: 'X402_NOT_ALLOWED', offer: null, usd: null, reason: 'the 402 answer offered no way to pay' };
}
