// The payer of a dry run (and of anything else that must not move money): it reads and journals what was asked,
// and never signs. The composition plugs it in; nothing downstream asks which mode it is in.
import type { Logger } from '../log/logger.js';
import type { Clock } from '../ports/clock.js';
import type { PaymentChallenge, SignedPayment, X402Payer } from '../ports/x402-payer.js';
import type { X402Payments } from '../store/x402-payments.js';
import { readChallenge } from './read-challenge.js';
import { refuse } from './refuse.js';

export class RefusingX402Payer implements X402Payer {
  constructor(private readonly o: { payments: X402Payments; clock: Clock; logger: Logger }) {}

  async pay(c: PaymentChallenge): Promise<SignedPayment> {
    const read = readChallenge(c);
    throw refuse(this.o, c, read, 'X402_NOT_PAID', 'this run does not pay (a dry run or backtest never moves money)', { offer: read.offers[0] ?? null, usd: null }, null);
  }
}
