// Builds and signs one back_narrative transaction (PROTOCOL.md section 3): a compute-unit limit and price first
// (the priority fee), then the instruction, fee paid and signed by the wallet. Returns the exact wire bytes: those
// bytes are journaled and resent unchanged until they land or provably expire.
import { ComputeBudgetProgram, Keypair, Transaction } from '@solana/web3.js';
import bs58 from 'bs58';
import type { WalletKeypair } from '../wallet/keypair.js';
import { buildBackNarrativeInstruction } from './back-narrative.js';

export interface SignBackNarrativeParams {
  keypair: WalletKeypair | Keypair;
  programId: string;
  narrativeId: string;
  lamports: bigint;
  deadlineUnix: bigint;
  blockhash: string;
  lastValidBlockHeight: number;
  computeUnitLimit: number;
  /** Priority fee: micro-lamports per compute unit. */
  computeUnitPriceMicroLamports: number;
}

export interface SignedBackNarrative {
  signature: string;
  wire: Buffer;
}

export function signBackNarrative(p: SignBackNarrativeParams): SignedBackNarrative {
  const signer = p.keypair instanceof Keypair ? p.keypair : Keypair.fromSecretKey(p.keypair.secretKey, { skipValidation: true });
  const tx = new Transaction({ feePayer: signer.publicKey, blockhash: p.blockhash, lastValidBlockHeight: p.lastValidBlockHeight });
  tx.add(
    ComputeBudgetProgram.setComputeUnitLimit({ units: p.computeUnitLimit }),
    ComputeBudgetProgram.setComputeUnitPrice({ microLamports: p.computeUnitPriceMicroLamports }),
    buildBackNarrativeInstruction({ programId: p.programId, backer: signer.publicKey, narrativeId: p.narrativeId, lamports: p.lamports, deadlineUnix: p.deadlineUnix }),
  );
  tx.sign(signer);
  const wire = tx.serialize();
  return { signature: bs58.encode(tx.signature!), wire };
}
