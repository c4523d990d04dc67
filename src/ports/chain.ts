// The chain port: the Solana JSON-RPC methods the daemon needs (PROTOCOL.md section 3), kept to what a loopback
// fake can serve: balance, block height, latest blockhash, send (base64) and signature statuses (polled, no websocket).

export type Commitment = 'processed' | 'confirmed' | 'finalized';

export interface LatestBlockhash {
  blockhash: string;
  lastValidBlockHeight: number;
  /** context.slot of the answer: the bank the blockhash came from (null when the node did not say). */
  slot: number | null;
}

/** One bank's slot and block height, read together (getEpochInfo): how the slot of a finalized height is learnt. */
export interface SlotHeight {
  slot: number;
  blockHeight: number;
}

/** getSignatureStatuses with the slot of the bank that answered (context.slot): what that view has seen. */
export interface SignatureStatuses {
  slot: number;
  value: Array<SignatureStatus | null>;
}

export interface SignatureStatus {
  slot: number;
  confirmations: number | null;
  /** Set when the transaction landed but failed (fee charged, nothing else moved). */
  err: unknown;
  confirmationStatus: Commitment | null;
}

/**
 * What a node said to a send. `already-processed`: these exact bytes landed before. `blockhash-not-found`: the node
 * does not know (or no longer accepts) the blockhash, which alone proves nothing. `rejected`: preflight refused it.
 * Transport failures (no answer, 5xx, 429) and a node's transient errors (unhealthy, behind, min context slot not
 * reached) are thrown: the transaction may or may not have arrived.
 */
export type SendOutcome =
  | { ok: true; signature: string }
  | { ok: false; kind: 'already-processed' | 'blockhash-not-found' | 'rejected'; message: string };

/** What the engine reads (backtests serve it from a virtual wallet). */
export interface Chain {
  getBalance(address: string, signal?: AbortSignal): Promise<bigint>;
  getBlockHeight(signal?: AbortSignal, commitment?: Commitment): Promise<number>;
}

/** What the live executor needs on top: a blockhash, sending signed bytes, and their statuses. */
export interface TransactionChain extends Chain {
  getLatestBlockhash(signal?: AbortSignal, commitment?: Commitment): Promise<LatestBlockhash>;
  sendTransaction(wire: Uint8Array, signal?: AbortSignal): Promise<SendOutcome>;
  getSignatureStatuses(signatures: readonly string[], signal?: AbortSignal): Promise<SignatureStatuses>;
  getEpochInfo(signal?: AbortSignal, commitment?: Commitment): Promise<SlotHeight>;
}
