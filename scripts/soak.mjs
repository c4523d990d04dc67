#!/usr/bin/env node
// `npm run soak`: the daemon (the same loop, engine, executor, store, health and metrics wiring as `run`) against
// the simulator at high simulated speed, with faults armed in turn, for --ticks ticks (default 10,000). The
// simulator runs in a child process (`magma-agent sim`), so the memory and handles measured are the agent's alone;
// both share one simulated time (same start, same speed). Prints RSS, heap, active handles and database size at the
// start and the end as JSON, and stops by itself (or on SIGINT/SIGTERM, with what it has).
// Not part of `npm test`: it takes a long time. Options: --ticks N, --speed X, --live (sign and send
// backings to the simulator instead of dry-run), --in DIR (where the data directory goes), --keep.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import v8 from 'node:v8';
import { DAEMON_ENV, DAEMON_FLAGS } from '../bench/daemon-start.mjs';

// Measured as systemd runs the daemon: started again with the unit's V8 flags and allocator settings (fixed at
// start-up), unless this already is that process.
if (!process.env.MAGMA_SOAK_AS_UNIT) {
  const child = spawn(process.execPath, ['--expose-gc', ...DAEMON_FLAGS, new URL(import.meta.url).pathname, ...process.argv.slice(2)], {
    stdio: 'inherit', env: { ...process.env, ...DAEMON_ENV, MAGMA_SOAK_AS_UNIT: '1' },
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  await new Promise(() => {});
}

const dist = new URL('../dist/src/', import.meta.url);
const load = async (p) => import(new URL(p, dist).href);
const { ScaledClock } = await load('clock/scaled-clock.js');
const { createAgent } = await load('app/agent.js');
const { runDaemon } = await load('engine/daemon.js');
const { loadRuntime } = await load('cli/runtime.js');
const { Health } = await load('ops/health.js');
const { DaemonOps } = await load('ops/daemon-ops.js');
const { AgentMetrics } = await load('metrics/agent-metrics.js');
const { SqliteJournal } = await load('store/sqlite-journal.js');
const { journalView, stuckAfterMs } = await load('ops/journal-view.js');

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const ticks = Number(arg('--ticks', '10000'));
const speed = Number(arg('--speed', '100000'));
const live = process.argv.includes('--live');
const keep = process.argv.includes('--keep');
if (!(ticks > 0) || !(speed > 0)) {
  process.stderr.write('usage: npm run soak -- [--ticks N] [--speed X] [--live] [--in DIR] [--keep]\n');
  process.exit(2);
}

// --in DIR: where the throwaway data directory goes (e.g. /dev/shm, to measure the agent rather than the disk's fsync)
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());

const dir = mkdtempSync(join(arg('--in', tmpdir()), 'magma-soak-'));
const { config, logger, loaded } = loadRuntime(
  { dataDir: dir, logLevel: 'error', logFormat: 'json', dryRun: !live },
  { 'poll.intervalSeconds': 60, 'poll.jitterSeconds': 5, 'wallet.keypairPath': join(dir, 'wallet.json'), 'backing.confirmTimeoutSeconds': 120 },
);
const SIM_START = '2026-01-01T00:00:00.000Z';
const cli = new URL('../dist/cli.js', import.meta.url).pathname;
const simChild = spawn(process.execPath, [cli, 'sim', '--port', '0', '--seed', '17', '--speed', String(speed), '--start', SIM_START, '--fund', '1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
const apiUrl = await new Promise((resolve, reject) => {
  let out = '';
  simChild.stdout.on('data', (c) => {
    out += c.toString();
    const m = /MAGMA_API_URL=(\S+)/.exec(out);
    if (m && out.includes('simulated time starts')) resolve(m[1]);
  });
  simChild.once('exit', (code) => reject(new Error(`the simulator exited (${code}) before it listened`)));
});
simChild.stdout.resume();
// the daemon's clock: the simulator's start and speed, from (about) the same moment
const clock = new ScaledClock(Date.parse(SIM_START), speed);
const urls = { api: apiUrl, rpc: `${apiUrl}/rpc`, control: `${apiUrl}/__sim` };
config.api.url = urls.api;
config.rpc.url = urls.rpc;
config.prices.source = 'sim';
config.prices.url = urls.api;

// Faults in turn, one every FAULT_EVERY ticks: 5xx bursts, connection resets, malformed feeds, a halt and its end,
// transactions that never land (live only).
const FAULTS = [
  { burst: [{ family: 'feed', kind: 'error', count: 3, status: 503 }, { family: 'public', kind: 'error', count: 2, status: 502 }] },
  { burst: [{ family: 'feed', kind: 'reset', count: 2 }, { family: 'rpc', kind: 'reset', count: 2 }] },
  { malformedFeed: 5 },
  { halted: ['backing'] },
  { halted: [] },
  { burst: [{ family: 'feed', kind: 'html', count: 2 }] },
  ...(live ? [{ dropTransactions: 2 }] : []),
];
const FAULT_EVERY = 250;
const arm = async (body) => {
  const res = await request(`${urls.control}/faults`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  await res.body.dump();
};


const agent = await createAgent({ config, logger, apiKeyOverride: loaded.apiKeyOverride, clock, simulatorUrl: urls.api, createWalletIfMissing: true, signal: controller.signal });
const dbSize = () => ['', '-wal', '-shm'].reduce((n, s) => n + (existsSync(agent.dbPath + s) ? statSync(agent.dbPath + s).size : 0), 0);
const snapshot = (tick) => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return {
    tick, rss_mb: +(m.rss / 2 ** 20).toFixed(1), heap_used_mb: +(m.heapUsed / 2 ** 20).toFixed(1),
    heap_total_mb: +(m.heapTotal / 2 ** 20).toFixed(1), external_mb: +(m.external / 2 ** 20).toFixed(1),
    handles: process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length, db_mb: +(dbSize() / 2 ** 20).toFixed(2),
  };
};

const health = new Health({ graceMs: 60_000 });
const metrics = new AgentMetrics({ version: 'soak', ledger: agent.ledger, sim: true });
// the daemon's own operations layer, wired as `run` wires it (the journal view once per tick, warnings logged)
const ops = new DaemonOps({
  health, metrics, reserveLamports: 0n, unreachableMs: 600_000, ledger: agent.ledger, wallPerClockMs: 1 / speed, logger,
  journal: journalView({ store: agent.store, journal: new SqliteJournal(agent.store), clock: agent.clock, stuckAfterMs: stuckAfterMs(config.backing.confirmTimeoutSeconds) }),
});
const failureCodes = {};

let done = 0;
let failed = 0;
let start = null;
let faultsArmed = 0;
const WARM_UP = Math.min(50, Math.floor(ticks / 10));
const started = Date.now();
const onTickEnd = async () => {
  done++;
  if (done === WARM_UP) start = snapshot(done);
  if (done % FAULT_EVERY === 0) {
    await arm(FAULTS[faultsArmed % FAULTS.length]).catch(() => {});
    faultsArmed++;
  }
  if (process.stderr.isTTY && done % 100 === 0) process.stderr.write(`\rsoak: ${done}/${ticks} ticks`);
};
let result;
try {
  result = await runDaemon({
    engine: { tick: ops.timed((s) => agent.engine.tick(s)) }, clock: agent.clock, logger, signal: controller.signal,
    intervalMs: 60_000, jitterMs: 5_000, minGapMs: 1_000, maxTicks: ticks,
    onTick: (s) => {
      ops.onTick(s);
      void onTickEnd();
    },
    onTickFailed: (err) => {
      failed++;
      const code = err?.code ?? 'UNEXPECTED';
      failureCodes[code] = (failureCodes[code] ?? 0) + 1;
      ops.onTickFailed(err);
      void onTickEnd();
    },
    onIdle: (ms) => ops.onIdle(ms),
  });
} finally {
  const end = snapshot(done);
  await agent.close();
  simChild.kill('SIGTERM');
  if (process.stderr.isTTY) process.stderr.write('\n');
  const wallS = (Date.now() - started) / 1000;
  const metricsText = await metrics.render();
  const out = {
    ticks: result?.ticks ?? done, failed_ticks: result?.failures ?? failed, failed_by_code: failureCodes, faults_armed: faultsArmed, mode: live ? 'live (simulated chain)' : 'dry-run',
    simulated_days: +((done * 60) / 86_400).toFixed(1), wall_s: +wallS.toFixed(1), ticks_per_s: +(done / wallS).toFixed(1),
    start, end,
    growth: start ? { rss_mb: +(end.rss_mb - start.rss_mb).toFixed(1), heap_used_mb: +(end.heap_used_mb - start.heap_used_mb).toFixed(1), handles: end.handles - start.handles, db_mb: +(end.db_mb - start.db_mb).toFixed(2) } : null,
    heap_limit_mb: +(v8.getHeapStatistics().heap_size_limit / 2 ** 20).toFixed(0),
    healthz: health.snapshot().reason,
    metrics_ticks: (metricsText.match(/^magma_ticks_total\{status="ok"\} (\d+)$/m) ?? [])[1] ?? null,
    data_dir: keep ? dir : null,
    database_in: arg('--in', tmpdir()),
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
