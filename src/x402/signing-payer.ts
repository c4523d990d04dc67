// The payer where money may move (live): reads the 402 with the reference client, lets choose-payment decide by the
// configuration, journals the payment as 'signed' before it leaves, signs it with the wallet through @x402/svm's
// `exact` scheme (a partially signed TransferChecked the facilitator completes), and journals the paid answer.
import type { KeyPairSigner } from '@solana/kit';
import { x402Client, x402HTTPClient } from '@x402/core/client';
import type { Network, SettleResponse } from '@x402/core/types';
import { V1_TO_V2_NETWORK_MAP } from '@x402/svm';
import { ExactSvmScheme } from '@x402/svm/exact/client';
import { ExactSvmSchemeV1 } from '@x402/svm/v1';
import type { Config } from '../config/schema.js';
import { isMagmaError, MagmaError } from '../core/errors.js';
import { alignGlobalFetch } from '../http/align-global-fetch.js';
import type { Logger } from '../log/logger.js';
import { isoNow, startOfUtcDay, type Clock } from '../ports/clock.js';
import type { PaymentChallenge, SignedPayment, X402Payer } from '../ports/x402-payer.js';
import type { X402Payments } from '../store/x402-payments.js';
import { choosePayment } from './choose-payment.js';
import { headerReader, readChallenge } from './read-challenge.js';
import { refuse } from './refuse.js';

export interface SigningPayerOptions {
  policy: Config['x402'];
  /** The RPC the payment builder reads the mint's decimals and a recent blockhash from. */
  rpcUrl: string;
  signer: KeyPairSigner;
  payments: X402Payments;
  clock: Clock;
  logger: Logger;
}

export class SigningX402Payer implements X402Payer {
  private readonly http: x402HTTPClient;

  constructor(private readonly o: SigningPayerOptions) {
    alignGlobalFetch(); // @solana/kit's RPC (inside the scheme) calls the global fetch
    const client = new x402Client();
    const config = { rpcUrl: o.rpcUrl };
    for (const network of o.policy.allowedNetworks) client.register(network as Network, new ExactSvmScheme(o.signer, config));
    for (const [v1, v2] of Object.entries(V1_TO_V2_NETWORK_MAP)) {
      if (o.policy.allowedNetworks.includes(v2)) client.registerV1(v1, new ExactSvmSchemeV1(o.signer, config));
    }
    // choose-payment applies the configured caps and allow-lists before anything is signed; the library's own
    // defaults (its USDC list and a $1 cap) would second-guess the operator's configuration
    client.setSpendControls(false);
    this.http = new x402HTTPClient(client);
  }

  async pay(c: PaymentChallenge): Promise<SignedPayment> {
    const { payments, clock, logger } = this.o;
    const read = readChallenge(c, this.http);
    const spent = payments.spentUsdSince(startOfUtcDay(clock.now()));
    const choice = choosePayment(read.offers, this.o.policy, spent);
    if (!choice.ok) throw refuse({ payments, clock, logger }, c, read, choice.code, choice.reason, choice, spent);

    const offer = read.offers[choice.index]!;
    const fields = {
      route: c.route, resource: read.resourceOf(choice.index), x402Version: read.required.x402Version, network: choice.network,
      asset: offer.asset, payTo: offer.payTo, amount: choice.amount.toString(), usd: choice.usd,
    };
    // journaled before signing, in the same synchronous step as the cap check: two reads paying at once cannot both
    // pass a cap that only one of them fits under
    const id = payments.record({ at: isoNow(clock), state: 'signed', reason: null, challenge: read.required, ...fields });
    let header: Record<string, string>;
    try {
      const payload = await this.http.createPaymentPayload({ ...read.required, accepts: [read.required.accepts[choice.index]!] });
      header = this.http.encodePaymentSignatureHeader(payload);
    } catch (err) {
      const reason = `the payment could not be built (${(err as Error).message})`;
      payments.finish(id, { state: 'failed', at: isoNow(clock), response: null, tx: null, reason });
      throw new MagmaError('X402_PAYMENT_FAILED', `${c.route}: ${reason}; nothing was paid.`, {
        cause: err, context: { route: c.route, network: fields.network, asset: fields.asset, payTo: fields.payTo, amount: fields.amount },
        hint: `Check x402.rpcUrl (or rpc.url) reaches ${fields.network}, and that the wallet holds the asset; the daemon tries again on its next tick.`,
      });
    }
    logger.info('x402.signed', { route: c.route, usd: choice.usd, amount: fields.amount, asset: fields.asset, pay_to: fields.payTo, network: fields.network });

    return {
      headers: header,
      unanswered: (err) => {
        const why = `the paid request got no answer (${(err as Error)?.message ?? String(err)}); the payment may have settled and was not sent again`;
        payments.note(id, why);
        logger.warn('x402.payment', { state: 'unanswered', route: c.route, usd: choice.usd, reason: why });
        if (isMagmaError(err, 'ABORTED')) return err;
        return new MagmaError('X402_PAYMENT_FAILED', `${c.route}: ${why}.`, {
          cause: err, context: { route: c.route, network: fields.network, asset: fields.asset, payTo: fields.payTo, amount: fields.amount, usd: choice.usd },
          hint: 'It counts against x402.maxPerDayUsd until the day ends; `magma-agent history` shows it as signed. The daemon asks again (and pays again, within the caps) on its next tick.',
        });
      },
      settle: (answer) => {
        let response: SettleResponse | null = null;
        try {
          response = this.http.getPaymentSettleResponse(headerReader(answer.headers));
        } catch {
          response = null; // served without a PAYMENT-RESPONSE header: recorded as served, with no receipt
        }
        const served = answer.status >= 200 && answer.status < 300 && response?.success !== false;
        const reason = served ? null : `the paid request was answered ${answer.status}${response?.errorReason ? ` (${response.errorReason})` : ''}`;
        const tx = response?.transaction || null;
        payments.finish(id, { state: served ? 'settled' : 'failed', at: isoNow(clock), response, tx, reason });
        logger.info('x402.payment', { state: served ? 'settled' : 'failed', route: c.route, usd: choice.usd, tx, reason });
        if (!served) {
          throw new MagmaError('X402_PAYMENT_FAILED', `${c.route}: ${reason}; the payment was not retried.`, {
            context: { route: c.route, status: answer.status, network: fields.network, asset: fields.asset, payTo: fields.payTo, amount: fields.amount, usd: choice.usd },
            hint: 'See `magma-agent history` for the journal; the daemon asks again (and pays again, within the caps) on its next tick.',
          });
        }
      },
    };
  }
}
