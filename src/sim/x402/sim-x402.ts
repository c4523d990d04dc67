// x402 in the simulator: the LiteSVM token chain, the gate over chosen routes, the JSON-RPC a paying client reads
// the mint and a blockhash from (`POST /x402/rpc`), and control routes (`GET /__sim/x402`: mint, payee, balances;
// `POST /__sim/x402/fund {owner, amount}`).
import { generateKeyPairSigner } from '@solana/kit';
import { json, type Router } from '../http/router.js';
import { SIM_X402_NETWORK, TokenChain } from './token-chain.js';
import { X402Gate } from './x402-gate.js';

export interface SimX402Options {
  /** Routes answered with 402 to a caller without a valid API key (default: the feed, portfolio and history). */
  routes?: string[];
  /** Price per call in test USDC atomic units (default 1000 = 0.001 USDC). */
  amount?: string;
  /** Payee (default: a fresh address, given a token account). */
  payTo?: string;
  /** Wallets funded with test USDC at start (atomic units). */
  fund?: Array<{ owner: string; amount: bigint }>;
}

/** The reads an agent makes every tick; a paid call is known by the paying wallet (src/sim/routes/agent.ts caller). */
export const DEFAULT_X402_ROUTES = ['GET /v1/agent/feed', 'GET /v1/agent/portfolio', 'GET /v1/agent/history'];

export class SimX402 {
  private constructor(readonly chain: TokenChain, readonly gate: X402Gate, readonly payTo: string, readonly amount: string) {}

  static async create(o: SimX402Options = {}): Promise<SimX402> {
    const chain = await TokenChain.create();
    const payTo = o.payTo ?? (await generateKeyPairSigner()).address;
    await chain.fund(payTo, 0n);
    for (const f of o.fund ?? []) await chain.fund(f.owner, f.amount);
    const amount = o.amount ?? '1000';
    const gate = await X402Gate.create(chain, { routes: o.routes ?? DEFAULT_X402_ROUTES, amount, payTo });
    return new SimX402(chain, gate, payTo, amount);
  }

  routes(router: Router): void {
    router.on('POST', '/x402/rpc', (req) => {
      const { id = null, method, params = [] } = (req.body ?? {}) as { id?: unknown; method?: string; params?: unknown[] };
      const ok = (result: unknown) => json(200, { jsonrpc: '2.0', id, result });
      const context = { slot: Number(this.chain.svm.getClock().slot) };
      switch (method) {
        case 'getAccountInfo': {
          const info = this.chain.accountInfo(String(params[0]));
          return ok({ context, value: info && { ...info, lamports: Number(info.lamports), space: Number(info.space), rentEpoch: 0 } });
        }
        case 'getLatestBlockhash':
          return ok({ context, value: { blockhash: this.chain.latestBlockhash(), lastValidBlockHeight: context.slot + 150 } });
        default:
          return json(200, { jsonrpc: '2.0', id, error: { code: -32601, message: `Method not found: ${method}` } });
      }
    });
    router.on('GET', '/__sim/x402', async (req) => {
      const owners = [this.payTo, ...req.query.getAll('owner')];
      const balances: Record<string, string | null> = {};
      for (const owner of owners) balances[owner] = (await this.chain.balance(owner))?.toString() ?? null;
      return json(200, {
        network: SIM_X402_NETWORK, mint: this.chain.mint, pay_to: this.payTo, amount: this.amount,
        fee_payer: this.chain.feePayer.address, balances,
      });
    });
    router.on('POST', '/__sim/x402/fund', async (req) => {
      const b = (req.body ?? {}) as { owner?: unknown; amount?: unknown };
      if (typeof b.owner !== 'string' || !/^\d+$/.test(String(b.amount))) return json(400, { error: 'give {owner: address, amount: atomic units}' });
      await this.chain.fund(b.owner, BigInt(String(b.amount)));
      return json(200, { ok: true });
    });
  }
}
