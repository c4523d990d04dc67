// POST /rpc: the Solana JSON-RPC methods the daemon uses (PROTOCOL.md section 3), answered as a node would:
// balances, block height (advancing 400 simulated ms per block), blockhashes valid for 150 blocks, airdrops,
// sendTransaction with real checks (src/sim/chain/send-transaction.ts) and signature statuses that move
// processed → confirmed → finalized with simulated time.
import { createHash } from 'node:crypto';
import { PublicKey } from '@solana/web3.js';
import { json, type Router } from '../http/router.js';
import { sendTransaction, type SendConfig } from '../chain/send-transaction.js';
import { blockHeight, confirmationOf, type SimState } from '../sim-state.js';

type RpcRequest = { jsonrpc?: string; id?: unknown; method?: unknown; params?: unknown };

const rpcError = (id: unknown, code: number, message: string, data?: unknown) =>
  ({ jsonrpc: '2.0', id: id ?? null, error: data === undefined ? { code, message } : { code, message, data } });
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

/** The blockhash of a height: deterministic for the seed, so two runs hand out the same hashes. */
export function blockhashAt(state: SimState, height: number): string {
  return new PublicKey(createHash('sha256').update(`blockhash:${state.seed}:${height}`).digest()).toBase58();
}

export function rpcRoutes(state: SimState) {
  /**
   * The block height a node answers at a commitment: processed is the tip, confirmed trails it by the confirmation
   * depth, finalized (the RPC default) by 32 blocks. `lag`: the node answering is that many blocks behind the tip.
   */
  const heightAt = (config: unknown, lag = 0): number => {
    const commitment = (config as { commitment?: unknown } | undefined)?.commitment ?? 'finalized';
    const tip = blockHeight(state) - lag;
    const behind = commitment === 'processed' ? 0 : commitment === 'confirmed' ? state.faults.confirmBlocks : state.finalizeBlocks;
    return tip - behind;
  };
  // The simulator's slots are its block heights (no skipped slots).
  const context = (config?: unknown, lag = 0) => ({ slot: heightAt(config, lag), apiVersion: '2.1.0' });
  type Method = (params: unknown[], id: unknown, lag: number) => unknown;
  const methods: Record<string, Method> = {
    getBalance: ([address, config], id, lag) => {
      if (!validAddress(address)) return rpcError(id, -32602, 'Invalid param: Invalid');
      // A node counts only what has reached the asked commitment.
      return rpcResult(id, { context: context(config, lag), value: Number(state.chain.balanceAsOf(address, heightAt(config, lag))) });
    },
    getBlockHeight: ([config], id, lag) => rpcResult(id, heightAt(config, lag)),
    // One bank's slot and block height together (how a client learns the slot of a finalized height).
    getEpochInfo: ([config], id, lag) => {
      const height = heightAt(config, lag);
      const slotsInEpoch = 432_000;
      return rpcResult(id, { absoluteSlot: height, blockHeight: height, epoch: Math.floor(height / slotsInEpoch), slotIndex: height % slotsInEpoch, slotsInEpoch, transactionCount: null });
    },
    getLatestBlockhash: ([config], id, lag) => {
      // The blockhash of the bank at that commitment: a finalized one is older, so it has fewer blocks left to live.
      const height = heightAt(config, lag);
      const blockhash = blockhashAt(state, height);
      state.chain.issueBlockhash(blockhash, height, state.faults.blockhashTtl);
      return rpcResult(id, { context: context(config, lag), value: { blockhash, lastValidBlockHeight: height + state.faults.blockhashTtl } });
    },
    requestAirdrop: ([address, lamports], id) => {
      if (!validAddress(address) || typeof lamports !== 'number' || !Number.isSafeInteger(lamports) || lamports <= 0) {
        return rpcError(id, -32602, 'Invalid params');
      }
      const signature = createHash('sha256').update(`airdrop:${address}:${state.clock.now()}:${state.chain.transfers.length}`).digest('hex');
      state.chain.credit(address, BigInt(lamports));
      state.chain.transfers.push({ signature, kind: 'airdrop', from: null, to: address, narrativeId: null, lamports: BigInt(lamports), at: state.clock.now() });
      return rpcResult(id, signature);
    },
    sendTransaction: ([encoded, config], id) => {
      const r = sendTransaction(state, encoded, (config && typeof config === 'object' ? config : {}) as SendConfig);
      return r.ok ? rpcResult(id, r.signature) : rpcError(id, r.error.code, r.error.message, r.error.data);
    },
    getSignatureStatuses: ([signatures], id, lag) => {
      if (!Array.isArray(signatures) || signatures.length > 256 || !signatures.every((s) => typeof s === 'string')) {
        return rpcError(id, -32602, 'Invalid params: expected an array of up to 256 signatures');
      }
      // A node answers from its processed bank: a lagging node knows nothing landed above its own height.
      const view = blockHeight(state) - lag;
      const value = (signatures as string[]).map((sig) => {
        const tx = state.chain.txs.get(sig);
        if (!tx || tx.slot > view) {
          const fork = state.chain.forked.get(sig);
          // On the minority fork until it is abandoned: never more than processed.
          if (fork && view >= fork.slot && view < fork.until) return { slot: fork.slot, confirmations: 0, err: null, status: { Ok: null }, confirmationStatus: 'processed' };
          return null;
        }
        const history = state.faults.statusHistorySlots;
        if (history !== null && view - tx.slot > history) return null; // forgotten, as a node without history
        const c = confirmationOf(state, tx.slot, view);
        return { slot: tx.slot, confirmations: c.confirmations, err: tx.err ?? null, status: tx.err ? { Err: tx.err } : { Ok: null }, confirmationStatus: c.status };
      });
      return rpcResult(id, { context: context({ commitment: 'processed' }, lag), value });
    },
  };

  return (router: Router) => {
    router.on('POST', '/rpc', (req) => {
      const body = req.body as RpcRequest | RpcRequest[] | undefined;
      // Behind a load balancer with a lagging status node, that node serves getSignatureStatuses, and a batch as a
      // whole goes to one node: the lagging one when it asks for statuses.
      const list = Array.isArray(body) ? body : [body ?? {}];
      const lag = list.some((r) => r && typeof r === 'object' && r.method === 'getSignatureStatuses') ? state.faults.statusLagBlocks : 0;
      const one = (r: RpcRequest) => {
        if (!r || typeof r !== 'object' || typeof r.method !== 'string') return rpcError(r?.id, -32600, 'Invalid request');
        const method = methods[r.method];
        if (!method) return rpcError(r.id, -32601, 'Method not found');
        return method(Array.isArray(r.params) ? r.params : [], r.id, lag);
      };
      return json(200, Array.isArray(body) ? body.map(one) : one(body ?? {}));
    });
  };
}
