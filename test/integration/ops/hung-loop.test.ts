// A hung daemon must not stay "active (running)" for ever: once a tick hangs, /healthz turns 503 with a reason and
// the watchdog pings on the real NOTIFY_SOCKET stop (so systemd's WatchdogSec restarts it), while the pings went on
// as long as ticks came. The daemon's own loop, health, operations layer, notifier and metrics server, wired as
// `run` wires them, over an engine whose third tick never ends.
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { TickSummary } from '../../../src/engine/engine.js';
import { runDaemon } from '../../../src/engine/daemon.js';
import { silentLogger } from '../../../src/log/logger.js';
import { AgentMetrics } from '../../../src/metrics/agent-metrics.js';
import { MetricsServer } from '../../../src/metrics/metrics-server.js';
import { DaemonOps } from '../../../src/ops/daemon-ops.js';
import { Health } from '../../../src/ops/health.js';
import { SystemClock } from '../../../src/clock/system-clock.js';
import { createNotifier } from '../../../src/systemd/sd-notify.js';
import { ServiceNotifier } from '../../../src/systemd/service-notifier.js';
import { notifySocket } from '../../helpers/notify-socket.js';

const summary = (tickId: number): TickSummary => ({
  tickId, feedCount: 3, dropped: 0, changed: 0, backed: [], skipped: 3, resolved: [], settled: [], balance: 1_000_000_000n,
  gates: { backing: { open: true, reason: null }, resolution: { open: true, reason: null } },
});

async function until(pred: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('a hung tick', () => {
  it('turns /healthz 503 and stops the watchdog pings; both were fine while ticks came', async () => {
    const sock = notifySocket();
    // WATCHDOG_USEC 0.2 s: the timer pings every 0.1 s while the loop is live
    const notifier = createNotifier({ env: { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '200000' } });
    const health = new Health({ graceMs: 300 });
    const metrics = new AgentMetrics({ version: 't', ledger: 'dry-run', sim: false, processMetrics: false });
    const service = new ServiceNotifier(notifier, health);
    const ops = new DaemonOps({ health, metrics, notifier: service, reserveLamports: 0n, unreachableMs: 60_000, ledger: 'dry-run' });
    const server = new MetricsServer({ bind: '127.0.0.1', port: 0, metrics, health });
    const base = (await server.start()).replace(/\/metrics$/, '');
    const healthz = async () => {
      const res = await request(`${base}/healthz`);
      return { status: res.statusCode, body: (await res.body.json()) as { ok: boolean; live: boolean; reason: string } };
    };
    const stop = new AbortController();
    let n = 0;
    let hung = false;
    const engine = {
      tick: ops.timed(async (signal?: AbortSignal) => {
        n++;
        if (n < 3) return summary(n);
        hung = true; // a tick that never returns (a wedged await), until shutdown
        await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
        throw new Error('aborted');
      }),
    };
    const loop = runDaemon({
      engine, clock: new SystemClock(), logger: silentLogger(), signal: stop.signal, intervalMs: 100,
      onTick: (s) => ops.onTick(s), onTickFailed: (e) => ops.onTickFailed(e), onIdle: (ms) => ops.onIdle(ms),
    });
    try {
      await until(() => hung, 'the third tick');
      // with each good tick: READY once, then a ping each time
      await until(() => sock.messages.filter((m) => /^WATCHDOG=1$/m.test(m)).length >= 2, 'two watchdog pings');
      expect(sock.messages.filter((m) => /^READY=1$/m.test(m))).toHaveLength(1);
      await until(async () => (await healthz()).status === 503, '/healthz 503');
      const after = await healthz();
      expect(after.body).toMatchObject({ ok: false, live: false });
      expect(after.body.reason).toMatch(/^ticks stopped: the last one ended \d+ s ago and the next is overdue$/);
      // From here no ping can come: the timer pings only while the loop is live, and only a tick could make it so.
      await service.flush(); // a ping the timer queued just before the loop went overdue is handed over…
      await new Promise((r) => setTimeout(r, 50)); // …and received
      const pings = sock.messages.filter((m) => /^WATCHDOG=1$/m.test(m)).length;
      await new Promise((r) => setTimeout(r, 500)); // five watchdog intervals
      expect(sock.messages.filter((m) => /^WATCHDOG=1$/m.test(m)).length).toBe(pings);
    } finally {
      stop.abort();
      await loop;
      await service.stopping('test over');
      await server.stop();
      sock.close();
    }
  });
});
