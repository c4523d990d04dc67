// Solana JSON-RPC over the shared HTTP transport: only the methods PROTOCOL.md lists, so a loopback fake can serve them.
import { isMagmaError, MagmaError } from '../core/errors.js';
import type { HttpTransport } from '../http/transport.js';
import type { Commitment, LatestBlockhash, SendOutcome, SignatureStatus, SignatureStatuses, SlotHeight, TransactionChain } from '../ports/chain.js';

/**
 * JSON-RPC error codes that are a node's verdict on the transaction itself (preflight simulation failed, a signature
 * does not verify, undecodable). Every other code (-32005 node unhealthy, -32016 min context slot not reached,
 * -32004/-32007/-32009 blocks not available, -32603 internal...) says nothing about the transaction: retried.
 */
const VERDICT_CODES = new Set([-32002, -32003, -32602]);

export interface RpcChainOptions {
  transport: HttpTransport;
  commitment: 'processed' | 'confirmed' | 'finalized';
}

let nextId = 1;
/** The agent's RPC answers (statuses, balances, blockhashes, one transaction) are small: 1 MiB is ample. */
const RPC_MAX_BYTES = 1024 * 1024;

export class RpcChain implements TransactionChain {
  constructor(private readonly options: RpcChainOptions) {}

  async rpc<T>(method: string, params: unknown[], signal?: AbortSignal, idempotent = true): Promise<T> {
    const res = await this.options.transport.call({
      method: 'POST', path: '', route: `rpc:${method}`, family: 'rpc', signal, idempotent, maxBytes: RPC_MAX_BYTES,
      body: { jsonrpc: '2.0', id: nextId++, method, params },
    });
    const body = res.body as { result?: T; error?: { code?: number; message?: string } } | string;
    if (res.status !== 200 || typeof body !== 'object' || body === null) {
      throw new MagmaError('RPC_FAILED', `Solana RPC ${method} answered ${res.status}${res.status === 429 ? ' (rate limited)' : ''}.`, {
        context: { method, status: res.status },
        hint: 'Check rpc.url (MAGMA_RPC_URL) and the RPC provider; try again later (the daemon retries on its next tick).',
      });
    }
    if (body.error) {
      // The node's words, short and on one line: an answer may hold up to RPC_MAX_BYTES of anything.
      const said = typeof body.error.message === 'string' ? body.error.message.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 300) : 'unknown error';
      const code = typeof body.error.code === 'number' && Number.isSafeInteger(body.error.code) ? body.error.code : undefined;
      throw new MagmaError('RPC_FAILED', `Solana RPC ${method} failed: ${said} (code ${code ?? '?'}).`, {
        context: { method, rpcCode: code, rpcMessage: said },
      });
    }
    if (!('result' in body)) throw new MagmaError('RPC_FAILED', `Solana RPC ${method} answered without a result.`, { context: { method } });
    return body.result as T;
  }

  async getBalance(address: string, signal?: AbortSignal): Promise<bigint> {
    const r = await this.rpc<{ value: number }>('getBalance', [address, { commitment: this.options.commitment }], signal);
    if (typeof r?.value !== 'number' || !Number.isSafeInteger(r.value) || r.value < 0) {
      throw new MagmaError('RPC_FAILED', 'Solana RPC getBalance answered with a value that is not a lamport count.');
    }
    return BigInt(r.value);
  }

  async getBlockHeight(signal?: AbortSignal, commitment: Commitment = this.options.commitment): Promise<number> {
    const h = await this.rpc<number>('getBlockHeight', [{ commitment }], signal);
    if (typeof h !== 'number' || !Number.isSafeInteger(h) || h < 0) {
      throw new MagmaError('RPC_FAILED', `Solana RPC getBlockHeight answered ${String(JSON.stringify(h)).slice(0, 100)}, not a block height.`);
    }
    return h;
  }

  async getLatestBlockhash(signal?: AbortSignal, commitment: Commitment = this.options.commitment): Promise<LatestBlockhash> {
    const r = await this.rpc<{ context?: { slot?: unknown }; value?: { blockhash?: unknown; lastValidBlockHeight?: unknown } }>('getLatestBlockhash', [{ commitment }], signal);
    const v = r?.value;
    if (typeof v?.blockhash !== 'string' || typeof v.lastValidBlockHeight !== 'number' || !Number.isSafeInteger(v.lastValidBlockHeight)) {
      throw new MagmaError('RPC_FAILED', 'Solana RPC getLatestBlockhash answered without a blockhash and lastValidBlockHeight.');
    }
    const slot = r.context?.slot;
    return { blockhash: v.blockhash, lastValidBlockHeight: v.lastValidBlockHeight, slot: typeof slot === 'number' && Number.isSafeInteger(slot) ? slot : null };
  }

  async getEpochInfo(signal?: AbortSignal, commitment: Commitment = this.options.commitment): Promise<SlotHeight> {
    const r = await this.rpc<{ absoluteSlot?: unknown; blockHeight?: unknown }>('getEpochInfo', [{ commitment }], signal);
    if (typeof r?.absoluteSlot !== 'number' || !Number.isSafeInteger(r.absoluteSlot) || typeof r.blockHeight !== 'number' || !Number.isSafeInteger(r.blockHeight)) {
      throw new MagmaError('RPC_FAILED', 'Solana RPC getEpochInfo answered without an absoluteSlot and blockHeight.');
    }
    return { slot: r.absoluteSlot, blockHeight: r.blockHeight };
  }

  /** Sends signed bytes as base64 (a node decodes base58 unless told), with preflight, never retried here. */
  async sendTransaction(wire: Uint8Array, signal?: AbortSignal): Promise<SendOutcome> {
    const config = { encoding: 'base64', skipPreflight: false, preflightCommitment: this.options.commitment, maxRetries: 0 };
    try {
      const signature = await this.rpc<string>('sendTransaction', [Buffer.from(wire).toString('base64'), config], signal, false);
      if (typeof signature !== 'string') throw new MagmaError('RPC_FAILED', 'Solana RPC sendTransaction answered without a signature.');
      return { ok: true, signature };
    } catch (err) {
      // Only a JSON-RPC error is the node's verdict on the transaction; anything else leaves its fate unknown.
      if (!isMagmaError(err, 'RPC_FAILED') || !VERDICT_CODES.has(Number(err.context.rpcCode))) throw err;
      const message = err.context.rpcMessage ?? err.message;
      if (/already been processed/i.test(message)) return { ok: false, kind: 'already-processed', message };
      if (/blockhash not found/i.test(message)) return { ok: false, kind: 'blockhash-not-found', message };
      return { ok: false, kind: 'rejected', message };
    }
  }

  async getSignatureStatuses(signatures: readonly string[], signal?: AbortSignal): Promise<SignatureStatuses> {
    const r = await this.rpc<{ context?: { slot?: unknown }; value?: unknown }>('getSignatureStatuses', [signatures, { searchTransactionHistory: true }], signal);
    const slot = r?.context?.slot;
    if (typeof slot !== 'number' || !Number.isSafeInteger(slot)) {
      throw new MagmaError('RPC_FAILED', 'Solana RPC getSignatureStatuses answered without context.slot, so its answer cannot be placed in time.');
    }
    if (!Array.isArray(r?.value) || r.value.length !== signatures.length) {
      throw new MagmaError('RPC_FAILED', 'Solana RPC getSignatureStatuses answered with a list that does not match the signatures asked.');
    }
    const value = r.value.map((s: unknown): SignatureStatus | null => {
      // Only a literal null means "unknown" (it can prove an expiry): anything else that is not a status is garbage.
      if (s === null) return null;
      if (typeof s !== 'object' || Array.isArray(s)) {
        throw new MagmaError('RPC_FAILED', 'Solana RPC getSignatureStatuses answered with an entry that is neither null nor a status.');
      }
      const o = s as { slot?: unknown; confirmations?: unknown; err?: unknown; confirmationStatus?: unknown };
      const status = o.confirmationStatus === 'processed' || o.confirmationStatus === 'confirmed' || o.confirmationStatus === 'finalized' ? o.confirmationStatus : null;
      return { slot: Number(o.slot ?? 0), confirmations: typeof o.confirmations === 'number' ? o.confirmations : null, err: o.err ?? null, confirmationStatus: status };
    });
    return { slot, value };
  }
}
