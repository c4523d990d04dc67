// Reads a 402 answer with the reference client (@x402/core): version 2 from the PAYMENT-REQUIRED header, version 1
// from the JSON body. What the payers share before deciding.
import { x402Client, x402HTTPClient } from '@x402/core/client';
import type { PaymentRequired } from '@x402/core/types';
import { MagmaError } from '../core/errors.js';
import type { PaymentChallenge } from '../ports/x402-payer.js';
import type { Offer } from './choose-payment.js';

export interface ReadChallenge {
  required: PaymentRequired;
  offers: Offer[];
  /** The resource the offer names (v2: the challenge's resource; v1: each offer's), else the URL asked. */
  resourceOf(index: number): string;
}

const parser = new x402HTTPClient(new x402Client());

export const headerReader = (headers: Record<string, string>) => (name: string) => headers[name.toLowerCase()];

export function readChallenge(c: PaymentChallenge, http: x402HTTPClient = parser): ReadChallenge {
  let required: PaymentRequired;
  try {
    required = http.getPaymentRequiredResponse(headerReader(c.headers), c.body);
  } catch (err) {
    throw new MagmaError('API_MALFORMED', `${c.route} answered 402 without an x402 challenge the agent can read (no PAYMENT-REQUIRED header, no x402Version 1 body).`, {
      cause: err, context: { route: c.route, status: 402 },
      hint: 'Check that api.url points at the MAGMA API; nothing was paid.',
    });
  }
  const offers = (Array.isArray(required.accepts) ? required.accepts : []) as unknown as Offer[];
  return {
    required,
    offers,
    resourceOf: (i) => required.resource?.url ?? (offers[i] as { resource?: string } | undefined)?.resource ?? c.url,
  };
}
