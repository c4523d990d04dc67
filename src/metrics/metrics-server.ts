// Prometheus text metrics (metrics.enabled, on metrics.bind:metrics.port, GET /metrics), read from the store at each
// scrape: ticks, decisions, API calls by family and status, open positions, exposure and realised P&L. Loopback by
// default; it serves counts, never keys or wallet secrets.
import { createServer, type Server } from 'node:http';
import { closeServer, listenOn } from '../http/serve.js';
import { pnlSummary } from '../report/calibration-report.js';
import type { SqliteStore } from '../store/sqlite-store.js';

function line(name: string, labels: Record<string, string | number>, value: number | bigint): string {
  const l = Object.entries(labels).map(([k, v]) => `${k}="${String(v).replace(/["\\\n]/g, '_')}"`).join(',');
  return `${name}${l ? `{${l}}` : ''} ${value.toString()}`;
}

export function renderMetrics(store: SqliteStore, dryRun: boolean): string {
  const db = store.db;
  const out: string[] = [];
  const help = (name: string, type: 'counter' | 'gauge', text: string) => out.push(`# HELP ${name} ${text}`, `# TYPE ${name} ${type}`);

  help('magma_ticks_total', 'counter', 'Ticks by final status.');
  for (const r of db.prepare('SELECT status, COUNT(*) AS n FROM ticks GROUP BY status').all() as Array<{ status: string; n: number }>) out.push(line('magma_ticks_total', { status: r.status }, r.n));
  help('magma_last_tick_timestamp_seconds', 'gauge', 'Start of the last completed tick (Unix seconds).');
  const last = db.prepare(`SELECT MAX(started_at) FROM ticks WHERE status = 'ok'`).pluck().get() as string | null;
  out.push(line('magma_last_tick_timestamp_seconds', {}, last ? Math.floor(Date.parse(last) / 1000) : 0));
  help('magma_decisions_total', 'counter', 'Decisions by kind and action.');
  for (const r of db.prepare('SELECT kind, action, COUNT(*) AS n FROM decisions GROUP BY kind, action').all() as Array<{ kind: string; action: string; n: number }>) {
    out.push(line('magma_decisions_total', { kind: r.kind, action: r.action }, r.n));
  }
  help('magma_api_calls_total', 'counter', 'HTTP calls by limit family and status (0 = no answer).');
  for (const r of db.prepare('SELECT family, COALESCE(status, 0) AS status, COUNT(*) AS n FROM api_calls GROUP BY family, status').all() as Array<{ family: string; status: number; n: number }>) {
    out.push(line('magma_api_calls_total', { family: r.family, status: r.status }, r.n));
  }
  const p = pnlSummary(store, dryRun);
  help('magma_open_positions', 'gauge', 'Backings not yet settled.');
  out.push(line('magma_open_positions', { dry_run: String(dryRun) }, p.openPositions));
  help('magma_exposure_lamports', 'gauge', 'Lamports at stake in open backings.');
  out.push(line('magma_exposure_lamports', { dry_run: String(dryRun) }, p.openLamports));
  help('magma_realised_pnl_lamports', 'gauge', 'Realised profit and loss of settled backings, in lamports.');
  out.push(line('magma_realised_pnl_lamports', { dry_run: String(dryRun) }, p.pnlLamports));
  help('magma_backings_in_flight', 'gauge', 'Live backings not yet final, by state.');
  for (const r of db.prepare(`SELECT state, COUNT(*) AS n FROM backings WHERE dry_run = 0 AND state IN ('intent', 'signed', 'sent', 'confirmed') GROUP BY state`).all() as Array<{ state: string; n: number }>) {
    out.push(line('magma_backings_in_flight', { state: r.state }, r.n));
  }
  help('magma_backings_unprovable', 'gauge', 'Live backings in flight that no RPC answer could prove expired: never signed again; check them (docs/executor.md).');
  out.push(line('magma_backings_unprovable', {}, Number(db.prepare(`SELECT COUNT(*) FROM backings WHERE dry_run = 0 AND state IN ('signed', 'sent') AND error LIKE 'cannot prove%'`).pluck().get())));
  return out.join('\n') + '\n';
}

export class MetricsServer {
  private server: Server | null = null;

  constructor(private readonly o: { bind: string; port: number; store: SqliteStore; dryRun: boolean }) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      try {
        const body = renderMetrics(this.o.store, this.o.dryRun);
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
      } catch {
        res.writeHead(503).end();
      }
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
