// A 402 the agent does not pay: journaled as 'refused' with the reason, logged, and returned as the typed error the
// command ends on (what was asked, why not, what to change).
import { MagmaError } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { isoNow, type Clock } from '../ports/clock.js';
import type { PaymentChallenge } from '../ports/x402-payer.js';
import type { X402Payments } from '../store/x402-payments.js';
import { caip2, type Offer } from './choose-payment.js';
import type { ReadChallenge } from './read-challenge.js';

type RefusalCode = 'X402_NOT_ALLOWED' | 'X402_DAILY_CAP' | 'X402_NOT_PAID';

const HINTS: Record<RefusalCode, string> = {
  X402_NOT_ALLOWED: 'Nothing was paid. To allow it, raise x402.maxPerCallUsd / x402.maxPerDayUsd or add the asset, network or payee to x402.allowedAssets / allowedNetworks / allowedPayees (README "x402"); or use an API key (api.auth "key").',
  X402_DAILY_CAP: 'Nothing was paid; the cap frees at 00:00 UTC (the daemon tries again on its next tick). Raise x402.maxPerDayUsd to pay more a day.',
  X402_NOT_PAID: 'Dry runs and backtests never pay: run live to pay, or use an API key (api.auth "key").',
};

export interface RefuseDeps {
  payments: X402Payments;
  clock: Clock;
  logger: Logger;
}

export function refuse(d: RefuseDeps, c: PaymentChallenge, read: ReadChallenge, code: RefusalCode, reason: string,
  choice: { offer: Offer | null; usd: number | null }, spentTodayUsd: number | null): MagmaError {
  const o = choice.offer;
  const index = o ? read.offers.indexOf(o) : -1;
  const amount = o ? o.amount ?? o.maxAmountRequired ?? null : null;
  d.payments.record({
    at: isoNow(d.clock), route: c.route, resource: read.resourceOf(Math.max(index, 0)), x402Version: read.required.x402Version,
    network: o ? caip2(o.network) : null, asset: o?.asset ?? null, payTo: o?.payTo ?? null, amount, usd: choice.usd ?? 0,
    state: 'refused', reason, challenge: read.required,
  });
  d.logger.warn('x402.payment', { state: 'refused', route: c.route, reason, usd: choice.usd, pay_to: o?.payTo ?? null });
  return new MagmaError(code, `${c.route} asks for an x402 payment that was not made: ${reason}.`, {
    context: {
      route: c.route, status: 402, ...(o ? { network: caip2(o.network), asset: o.asset, payTo: o.payTo } : {}),
      ...(amount ? { amount } : {}), ...(choice.usd !== null ? { usd: choice.usd } : {}),
      ...(spentTodayUsd !== null ? { spentTodayUsd } : {}),
    },
    hint: HINTS[code],
  });
}
