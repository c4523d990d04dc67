// The daemon's small HTTP endpoint (metrics.enabled, on metrics.bind:metrics.port): GET /metrics (Prometheus text
// from prom-client, kept in process) and GET /healthz (200 while ticks come on schedule, 503 otherwise, with a JSON
// reason). Loopback by default; it serves counts and times, never keys or wallet secrets. It starts before the agent
// registers or opens anything, so a port in use stops start-up early with exit 78.
import { createServer, type Server } from 'node:http';
import { closeServer, listenOn } from '../http/serve.js';
import type { Health } from '../ops/health.js';
import type { AgentMetrics } from './agent-metrics.js';

export class MetricsServer {
  private server: Server | null = null;

  constructor(private readonly o: { bind: string; port: number; metrics: AgentMetrics; health: Health }) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'GET' || (path !== '/metrics' && path !== '/healthz')) {
        res.writeHead(404).end();
        return;
      }
      if (path === '/healthz') {
        const h = this.o.health.snapshot();
        res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(h) + '\n');
        return;
      }
      this.o.metrics.render().then(
        (body) => res.writeHead(200, { 'content-type': this.o.metrics.contentType }).end(body),
        () => res.writeHead(503).end(),
      );
    });
    const base = await listenOn(server, this.o.bind, this.o.port, {
      code: 'METRICS_BIND_FAILED', name: 'metrics scrapes', hint: 'Choose a free metrics.port, or set metrics.enabled to false.',
    });
    this.server = server;
    return `${base}/metrics`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    await closeServer(server);
  }
}
