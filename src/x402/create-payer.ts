// The payer a run gets, by the ledger it writes to (src/config/ledger.ts): live signs within the configured caps,
// a dry run never pays. Called only from the composition (src/app); the signing side (and @solana/kit with it) is
// loaded only where it can sign.
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../ports/clock.js';
import type { Ledger } from '../ports/store.js';
import type { X402Payer } from '../ports/x402-payer.js';
import type { X402Payments } from '../store/x402-payments.js';
import { RefusingX402Payer } from './refusing-payer.js';

export interface CreatePayerInput {
  ledger: Ledger;
  config: Pick<Config, 'x402' | 'rpc'>;
  /** The wallet's 64-byte secret key (seed and public key), which signs the payment. */
  keypair: { readonly secretKey: Uint8Array };
  payments: X402Payments;
  clock: Clock;
  logger: Logger;
}

export async function createX402Payer(i: CreatePayerInput): Promise<X402Payer> {
  const { payments, clock, logger } = i;
  if (i.ledger === 'dry-run') return new RefusingX402Payer({ payments, clock, logger });
  const [{ createKeyPairSignerFromBytes }, { SigningX402Payer }] = await Promise.all([import('@solana/kit'), import('./signing-payer.js')]);
  const signer = await createKeyPairSignerFromBytes(i.keypair.secretKey);
  return new SigningX402Payer({ policy: i.config.x402, rpcUrl: i.config.x402.rpcUrl ?? i.config.rpc.url, signer, payments, clock, logger });
}
