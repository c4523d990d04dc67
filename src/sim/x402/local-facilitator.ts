// The simulator's x402 facilitator: the reference x402Facilitator with @x402/svm's `exact` scheme (v2 and v1), whose
// signer settles in LiteSVM instead of over RPC. The scheme checks the payment (instruction layout, TransferChecked
// of exactly the amount to payTo's account, the payer's signature, a settlement cache against replays); LiteSVM runs
// it (signatures, balances, blockhash, and "already processed" for a replayed transaction).
import type { FacilitatorClient } from '@x402/core/server';
import { x402Facilitator } from '@x402/core/facilitator';
import type { Network, PaymentPayload, PaymentRequirements, SupportedResponse } from '@x402/core/types';
import type { FacilitatorSvmSigner } from '@x402/svm';
import { registerExactSvmScheme } from '@x402/svm/exact/facilitator';
import { ExactSvmSchemeV1 } from '@x402/svm/exact/v1/facilitator';
import {
  getBase64EncodedWireTransaction, getBase64Encoder, getTransactionDecoder, partiallySignTransaction, type Address,
} from '@solana/kit';
import { SIM_X402_NETWORK, SIM_X402_NETWORK_V1 } from './network.js';
import type { TokenChain } from './token-chain.js';

export { SIM_X402_NETWORK_V1 } from './network.js';

/** A FacilitatorSvmSigner over LiteSVM: the fee payer signs, the runtime simulates, executes and confirms. */
export function liteSvmFacilitatorSigner(chain: TokenChain): FacilitatorSvmSigner {
  const feePayer = chain.feePayer;
  const own = (payer: Address | string) => {
    if (payer !== feePayer.address) throw new Error(`no signer for fee payer ${payer}; this facilitator pays with ${feePayer.address}`);
  };
  return {
    getAddresses: () => [feePayer.address],
    getSigner: (payer) => {
      own(payer);
      return feePayer;
    },
    async signTransaction(transaction, payer) {
      own(payer);
      const tx = getTransactionDecoder().decode(getBase64Encoder().encode(transaction));
      return getBase64EncodedWireTransaction(await partiallySignTransaction([feePayer.keyPair], tx));
    },
    async simulateTransaction(transaction) {
      const failure = chain.simulate(transaction);
      if (failure) throw new Error(`Simulation failed: ${failure}`);
    },
    async sendTransaction(transaction) {
      const sent = chain.send(transaction);
      if (sent.error) throw new Error(`Transaction failed: ${sent.error}`);
      return sent.signature;
    },
    async confirmTransaction(signature) {
      if (!chain.landed(signature)) throw new Error(`transaction ${signature} did not land`);
    },
    async getTokenAccountBalance(ata) {
      return chain.tokenAccountBalance(ata);
    },
    async getLatestBlockhash() {
      return { blockhash: chain.latestBlockhash(), lastValidBlockHeight: 0n };
    },
  };
}

/** The facilitator as the resource server's FacilitatorClient: in-process, no HTTP hop. */
export function localFacilitator(chain: TokenChain): FacilitatorClient & { facilitator: x402Facilitator } {
  const signer = liteSvmFacilitatorSigner(chain);
  const facilitator = registerExactSvmScheme(new x402Facilitator(), { signer, networks: SIM_X402_NETWORK });
  facilitator.registerV1(SIM_X402_NETWORK_V1 as Network, new ExactSvmSchemeV1(signer));
  return {
    facilitator,
    verify: (payload: PaymentPayload, requirements: PaymentRequirements) => facilitator.verify(payload, requirements),
    settle: (payload: PaymentPayload, requirements: PaymentRequirements) => facilitator.settle(payload, requirements),
    getSupported: async () => facilitator.getSupported() as SupportedResponse,
  };
}
