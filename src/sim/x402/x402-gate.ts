// x402-gated routes for the simulator, built on the reference resource server (@x402/core's x402HTTPResourceServer
// with @x402/svm's `exact` scheme): the same 402 challenge (PAYMENT-REQUIRED), payment check and PAYMENT-RESPONSE
// header the Express and Hono middleware produce, adapted to the simulator's router. The payment is settled (in
// LiteSVM, through the local facilitator) before the route answers; a refused payment is the server's 402.
import { x402HTTPResourceServer, x402ResourceServer, type HTTPAdapter, type RoutesConfig } from '@x402/core/server';
import { registerExactSvmScheme } from '@x402/svm/exact/server';
import type { Handler, SimRequest, SimResponse } from '../http/router.js';
import { localFacilitator } from './local-facilitator.js';
import { SIM_X402_NETWORK, type TokenChain } from './token-chain.js';

export interface X402GateOptions {
  /** Routes to gate, as "METHOD /path" (":name" segments as in the router). */
  routes: string[];
  /** The price per call in test USDC atomic units (6 decimals). */
  amount: string;
  /** Who is paid. */
  payTo: string;
}

function adapter(req: SimRequest): HTTPAdapter {
  const header = (name: string) => {
    const v = req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(', ') : v;
  };
  return {
    getHeader: header,
    getMethod: () => req.method,
    getPath: () => req.path,
    getUrl: () => `http://${header('host') ?? '127.0.0.1'}${req.path}${req.query.size ? `?${req.query}` : ''}`,
    getAcceptHeader: () => header('accept') ?? 'application/json',
    getUserAgent: () => header('user-agent') ?? '',
    getQueryParams: () => Object.fromEntries(req.query),
    getQueryParam: (name) => req.query.get(name) ?? undefined,
    getBody: () => req.body,
  };
}

export class X402Gate {
  private constructor(private readonly http: x402HTTPResourceServer) {}

  static async create(chain: TokenChain, o: X402GateOptions): Promise<X402Gate> {
    const server = registerExactSvmScheme(new x402ResourceServer(localFacilitator(chain)), { networks: [SIM_X402_NETWORK] });
    const routes: RoutesConfig = Object.fromEntries(o.routes.map((r) => [r, {
      accepts: { scheme: 'exact', network: SIM_X402_NETWORK, payTo: o.payTo, price: { amount: o.amount, asset: chain.mint } },
      description: `simulated MAGMA read: ${r}`,
      mimeType: 'application/json',
    }]));
    const http = new x402HTTPResourceServer(server, routes);
    await http.initialize();
    return new X402Gate(http);
  }

  /** Whether `req` is on a gated route. */
  gates(req: SimRequest): boolean {
    return this.http.requiresPayment({ adapter: adapter(req), path: req.path, method: req.method });
  }

  /** Answers 402 without a valid payment; with one, settles it and serves the route with the PAYMENT-RESPONSE header. */
  async handle(req: SimRequest, handler: Handler): Promise<SimResponse> {
    const a = adapter(req);
    const paymentHeader = a.getHeader('payment-signature') ?? a.getHeader('x-payment');
    const result = await this.http.processHTTPRequest({ adapter: a, path: req.path, method: req.method, ...(paymentHeader ? { paymentHeader } : {}) });
    if (result.type === 'no-payment-required') return handler(req);
    if (result.type === 'payment-error') return { status: result.response.status, headers: result.response.headers, body: result.response.body ?? {} };
    const settled = await this.http.processSettlement(result.paymentPayload, result.paymentRequirements, result.declaredExtensions);
    if (!settled.success) return { status: settled.response.status, headers: { ...settled.response.headers, ...settled.headers }, body: settled.response.body ?? {} };
    const served = await handler({ ...req, paidBy: settled.payer ?? 'unknown' });
    return { ...served, headers: { ...served.headers, ...settled.headers } };
  }
}
