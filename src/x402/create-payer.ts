// The payer a run gets, by the ledger it writes to (src/config/ledger.ts): live signs within the configured caps,
// a dry run never pays. Called only from the composition (src/app). Loaded on the first 402 only: a daemon that
// never meets one never holds @x402/* and @solana/kit in memory.
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../ports/clock.js';
import type { Ledger } from '../ports/store.js';
import type { X402Payer } from '../ports/x402-payer.js';
import type { X402Payments } from '../store/x402-payments.js';

export interface CreatePayerInput {
  ledger: Ledger;
  config: Pick<Config, 'x402' | 'rpc'>;
  /** The wallet's 64-byte secret key (seed and public key), which signs the payment. */
  keypair: { readonly secretKey: Uint8Array };
  payments: X402Payments;
  clock: Clock;
  logger: Logger;
}

async function load(i: CreatePayerInput): Promise<X402Payer> {
  const { payments, clock, logger } = i;
  if (i.ledger === 'dry-run') return new (await import('./refusing-payer.js')).RefusingX402Payer({ payments, clock, logger });
  const [{ createKeyPairSignerFromBytes }, { SigningX402Payer }] = await Promise.all([import('@solana/kit'), import('./signing-payer.js')]);
  const signer = await createKeyPairSignerFromBytes(i.keypair.secretKey);
  return new SigningX402Payer({ policy: i.config.x402, rpcUrl: i.config.x402.rpcUrl ?? i.config.rpc.url, signer, payments, clock, logger });
}

export function createX402Payer(i: CreatePayerInput): X402Payer {
  let payer: Promise<X402Payer> | null = null;
  return {
    async pay(challenge, signal) {
      payer ??= load(i).catch((err: unknown) => {
        payer = null; // a failed load is tried again on the next 402
        throw err;
      });
      return (await payer).pay(challenge, signal);
    },
  };
}
