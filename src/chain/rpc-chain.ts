// Solana JSON-RPC over the shared HTTP transport: only the methods PROTOCOL.md lists, so a loopback fake can serve them.
import { MagmaError } from '../core/errors.js';
import type { HttpTransport } from '../http/transport.js';
import type { Chain } from '../ports/chain.js';

export interface RpcChainOptions {
  transport: HttpTransport;
  commitment: 'processed' | 'confirmed' | 'finalized';
}

let nextId = 1;

export class RpcChain implements Chain {
  constructor(private readonly options: RpcChainOptions) {}

  async rpc<T>(method: string, params: unknown[], signal?: AbortSignal, idempotent = true): Promise<T> {
    const res = await this.options.transport.call({
      method: 'POST', path: '', route: `rpc:${method}`, family: 'rpc', signal, idempotent,
      body: { jsonrpc: '2.0', id: nextId++, method, params },
    });
    const body = res.body as { result?: T; error?: { code?: number; message?: string } } | string;
    if (res.status !== 200 || typeof body !== 'object' || body === null) {
      throw new MagmaError('RPC_FAILED', `Solana RPC ${method} answered ${res.status}${res.status === 429 ? ' (rate limited)' : ''}.`, {
        details: { method, status: res.status },
        hint: 'Check rpc.url (MAGMA_RPC_URL) and the RPC provider; try again later (the daemon retries on its next tick).',
      });
    }
    if (body.error) {
      throw new MagmaError('RPC_FAILED', `Solana RPC ${method} failed: ${body.error.message ?? 'unknown error'} (code ${body.error.code ?? '?'}).`, {
        details: { method, rpcCode: body.error.code },
      });
    }
    if (!('result' in body)) throw new MagmaError('RPC_FAILED', `Solana RPC ${method} answered without a result.`, { details: { method } });
    return body.result as T;
  }

  async getBalance(address: string, signal?: AbortSignal): Promise<bigint> {
    const r = await this.rpc<{ value: number }>('getBalance', [address, { commitment: this.options.commitment }], signal);
    if (typeof r?.value !== 'number' || !Number.isSafeInteger(r.value) || r.value < 0) {
      throw new MagmaError('RPC_FAILED', 'Solana RPC getBalance answered with a value that is not a lamport count.');
    }
    return BigInt(r.value);
  }

  async getBlockHeight(signal?: AbortSignal): Promise<number> {
    const h = await this.rpc<number>('getBlockHeight', [{ commitment: this.options.commitment }], signal);
    if (typeof h !== 'number') throw new MagmaError('RPC_FAILED', 'Solana RPC getBlockHeight answered with a value that is not a number.');
    return h;
  }
}
