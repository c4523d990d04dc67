// POST /rpc: the Solana JSON-RPC methods the daemon uses. This first version serves balances, block height,
// blockhashes and airdrops; transaction checks arrive with the simulator issue.
import { createHash } from 'node:crypto';
import { PublicKey } from '@solana/web3.js';
import { json, type Router } from '../http/router.js';
import { balanceOf, blockHeight, type SimState } from '../sim-state.js';

type RpcRequest = { jsonrpc?: string; id?: unknown; method?: unknown; params?: unknown };

const rpcError = (id: unknown, code: number, message: string) => ({ jsonrpc: '2.0', id: id ?? null, error: { code, message } });
const rpcResult = (id: unknown, result: unknown) => ({ jsonrpc: '2.0', id: id ?? null, result });

function validAddress(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    new PublicKey(v);
    return true;
  } catch {
    return false;
  }
}

export function rpcRoutes(state: SimState) {
  const context = () => ({ slot: blockHeight(state), apiVersion: '2.1.0' });
  const methods: Record<string, (params: unknown[], id: unknown) => unknown> = {
    getBalance: ([address], id) =>
      validAddress(address) ? rpcResult(id, { context: context(), value: Number(balanceOf(state, address)) }) : rpcError(id, -32602, 'Invalid param: Invalid'),
    getBlockHeight: (_p, id) => rpcResult(id, blockHeight(state)),
    getLatestBlockhash: (_p, id) => {
      const height = blockHeight(state);
      const blockhash = new PublicKey(createHash('sha256').update(`blockhash:${height}`).digest()).toBase58();
      return rpcResult(id, { context: context(), value: { blockhash, lastValidBlockHeight: height + 150 } });
    },
    requestAirdrop: ([address, lamports], id) => {
      if (!validAddress(address) || typeof lamports !== 'number' || !Number.isSafeInteger(lamports) || lamports <= 0) {
        return rpcError(id, -32602, 'Invalid params');
      }
      state.balances.set(address, balanceOf(state, address) + BigInt(lamports));
      return rpcResult(id, createHash('sha256').update(`airdrop:${address}:${state.clock.now()}`).digest('hex'));
    },
  };

  return (router: Router) => {
    router.on('POST', '/rpc', (req) => {
      const body = req.body as RpcRequest | RpcRequest[] | undefined;
      const one = (r: RpcRequest) => {
        if (!r || typeof r !== 'object' || typeof r.method !== 'string') return rpcError(r?.id, -32600, 'Invalid request');
        const method = methods[r.method];
        if (!method) return rpcError(r.id, -32601, 'Method not found');
        return method(Array.isArray(r.params) ? r.params : [], r.id);
      };
      return json(200, Array.isArray(body) ? body.map(one) : one(body ?? {}));
    });
  };
}
