// The local MAGMA + Solana simulator: one loopback port serves the Agents API at /, JSON-RPC at /rpc and control
// routes at /__sim/. It refuses to listen anywhere but loopback. Start it in-process (run --sim, demo, tests) or
// as `magma-agent sim`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScaledClock } from '../clock/scaled-clock.js';
import { solToLamports } from '../core/money.js';
import type { Clock } from '../ports/clock.js';
import { reply, Router, json, type SimRequest } from './http/router.js';
import type { Tier } from './rate-limiter.js';
import { agentRoutes } from './routes/agent.js';
import { backingReportRoutes } from './routes/backing-report.js';
import { controlRoutes } from './routes/control.js';
import { convictionRoutes } from './routes/conviction.js';
import { flagRoutes } from './routes/flag.js';
import { leaderboardRoutes } from './routes/leaderboard.js';
import { magusRoutes } from './routes/magus.js';
import { narrativeRoutes } from './routes/narratives.js';
import { pointsRoutes } from './routes/points.js';
import { portfolioRoutes } from './routes/portfolio.js';
import { publicRoutes } from './routes/public.js';
import { resolveRoutes } from './routes/resolve.js';
import { rpcRoutes } from './routes/rpc.js';
import { webhookRoutes } from './routes/webhook.js';
import { WebhookDispatcher, type DispatcherOptions } from './webhooks/webhook-dispatcher.js';
import { faultResponse, familyOf } from './faults/fault-response.js';
import { takeBurst } from './faults/sim-faults.js';
import { createSimState, syncState, type SimAgent, type SimState } from './sim-state.js';
import { startTimeForSeed, World } from './world/world.js';
import type { SimX402, SimX402Options } from './x402/sim-x402.js';
import { authenticate } from './routes/agent.js';

export const DEVNET_BACKING_PROGRAM_ID = 'ExNf7ktskoFCKwneF4239WKt3JsrYYTPDszgJSitc2Vb';
const MAX_BODY = 1024 * 1024;

export interface SimulatorOptions {
  seed?: number;
  speed?: number;
  port?: number;
  host?: string;
  tier?: Tier;
  fundSol?: number;
  programId?: string;
  /** Simulated start (ms); default derived from the seed. */
  startMs?: number;
  /** Share a clock with an in-process daemon; default a ScaledClock at `speed` from the start. */
  clock?: Clock;
  crowdInformativeness?: number;
  narrativesPerHour?: number;
  /** Webhook retry timing (real time); tests shorten it. */
  webhooks?: DispatcherOptions;
  /** x402 pay-per-call on chosen routes, settled in LiteSVM (src/sim/x402); off unless given. */
  x402?: SimX402Options;
}

export interface SimulatorUrls {
  api: string;
  rpc: string;
  magus: string;
  control: string;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export class Simulator {
  readonly state: SimState;
  readonly clock: Clock;
  private readonly router = new Router();
  private server: Server | null = null;
  private readonly hanging = new Set<ServerResponse>();
  readonly webhooks: WebhookDispatcher;
  private urlsValue: SimulatorUrls | null = null;
  /** Set by start() when options.x402 is given. */
  x402: SimX402 | null = null;

  constructor(private readonly options: SimulatorOptions = {}) {
    const seed = options.seed ?? 1;
    const startMs = options.startMs ?? startTimeForSeed(seed);
    this.clock = options.clock ?? new ScaledClock(startMs, options.speed ?? 1);
    const world = new World({
      seed, startMs, crowdInformativeness: options.crowdInformativeness ?? 0.9,
      ...(options.narrativesPerHour !== undefined ? { narrativesPerHour: options.narrativesPerHour } : {}),
    });
    this.state = createSimState({
      seed,
      world,
      clock: this.clock,
      tier: options.tier ?? 'free',
      fundLamports: solToLamports(options.fundSol ?? 20),
      programId: options.programId ?? DEVNET_BACKING_PROGRAM_ID,
    });
    const families = [agentRoutes, portfolioRoutes, leaderboardRoutes, webhookRoutes, resolveRoutes, publicRoutes, convictionRoutes,
      pointsRoutes, flagRoutes, backingReportRoutes, narrativeRoutes, rpcRoutes, magusRoutes, controlRoutes];
    for (const family of families) family(this.state)(this.router);
    this.webhooks = new WebhookDispatcher(this.state, options.webhooks);
    this.router.on('GET', '/__sim/webhooks', () =>
      json(200, { deliveries: this.webhooks.deliveries.map((d) => ({
        id: d.id, agent_id: d.agentId, url: d.url, event: d.event, narrative_id: d.narrativeId, attempts: d.attempts, status: d.status,
        last_status: d.lastStatus, last_error: d.lastError,
      })) }));
  }

  /**
   * Re-creates an agent registered in an earlier run (the real MAGMA remembers its agents; an in-process simulator
   * is new each run, so `run --sim` hands it the agent stored in the data directory).
   */
  restoreAgent(agent: SimAgent): void {
    if (this.state.agentsByWallet.has(agent.walletAddress)) return;
    this.state.agentsByKey.set(agent.apiKey, agent);
    this.state.agentsByWallet.set(agent.walletAddress, agent);
  }

  /** Brings the world and the chain up to the clock (the server does this before every request). */
  sync(): void {
    syncState(this.state);
  }

  get urls(): SimulatorUrls {
    if (!this.urlsValue) throw new Error('simulator not started');
    return this.urlsValue;
  }

  async start(): Promise<SimulatorUrls> {
    const host = this.options.host ?? '127.0.0.1';
    if (!isLoopback(host)) throw new Error(`the simulator listens on loopback only, not ${host}`);
    if (this.options.x402 && !this.x402) {
      // loaded only when asked for: LiteSVM and the x402 packages are memory a plain simulation need not hold
      const { SimX402: X402 } = await import('./x402/sim-x402.js');
      this.x402 = await X402.create(this.options.x402);
      this.x402.routes(this.router);
    }
    const server = createServer((req, res) => {
      this.handle(req)
        .then((r) => {
          if (r.action === 'reset') {
            req.socket.destroy();
            return;
          }
          if (r.action === 'hang') {
            // Held until the client gives up or the simulator stops.
            this.hanging.add(res);
            res.on('close', () => this.hanging.delete(res));
            return;
          }
          reply(res, r);
        })
        .catch((err: Error & { status?: number }) => {
          if (!res.headersSent) reply(res, json(err.status ?? 500, { error: err.status ? err.message : 'internal simulator error' }));
        });
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, host, () => resolve());
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.urlsValue = { api: base, rpc: `${base}/rpc`, magus: `${base}/magus`, control: `${base}/__sim` };
    return this.urlsValue;
  }

  private async handle(req: IncomingMessage): Promise<ReturnType<typeof json>> {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    const ip = req.socket.remoteAddress ?? '127.0.0.1';
    if (url.pathname.startsWith('/__sim/') && !isLoopback(ip.replace(/^::ffff:/, ''))) return json(403, { error: 'control routes answer loopback clients only' });
    syncState(this.state);
    const family = familyOf(url.pathname);
    const burst = family ? takeBurst(this.state.faults, family) : null;
    if (burst && family) return faultResponse(burst, family);
    const found = this.router.match(req.method ?? 'GET', url.pathname);
    if (found === null) return json(404, { ok: false, error: 'Not found' });
    if (found === 'method') return json(405, { ok: false, error: 'Method not allowed' });
    const text = req.method === 'POST' ? await readBody(req) : '';
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        return json(400, { ok: false, error: 'Body is not valid JSON' });
      }
    }
    const simReq: SimRequest = {
      method: req.method ?? 'GET', path: url.pathname, params: found.params, query: url.searchParams, headers: req.headers, body,
      ip,
    };
    // a gated route asks a caller without a valid key to pay (seed 004: pay per call instead of a key)
    if (this.x402?.gate.gates(simReq) && !authenticate(this.state, simReq)) return this.x402.gate.handle(simReq, found.handler);
    return found.handler(simReq);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.webhooks.stop();
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    server.closeIdleConnections();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      setTimeout(() => {
        server.closeAllConnections();
      }, 1000).unref();
    });
  }
}
