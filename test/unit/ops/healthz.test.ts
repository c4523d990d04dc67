// /healthz: 200 while ticks come on schedule, 503 with a JSON reason once they stop (or keep failing).
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentMetrics } from '../../../src/metrics/agent-metrics.js';
import { MetricsServer } from '../../../src/metrics/metrics-server.js';
import { Health } from '../../../src/ops/health.js';

let server: MetricsServer | null = null;
afterEach(async () => {
  await server?.stop();
  server = null;
});

async function serve(health: Health) {
  server = new MetricsServer({ bind: '127.0.0.1', port: 0, metrics: new AgentMetrics({ version: 't', ledger: 'dry-run', sim: false, processMetrics: false }), health });
  const base = (await server.start()).replace(/\/metrics$/, '');
  return async () => {
    const res = await request(`${base}/healthz`);
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };
}

describe('/healthz', () => {
  it('is 503 while starting, 200 after a tick, and 503 with a reason once the next tick is overdue', async () => {
    let now = 1_000_000;
    const health = new Health({ graceMs: 60_000, now: () => now });
    const get = await serve(health);
    expect(await get()).toMatchObject({ status: 503, body: { ok: false, reason: 'starting: no tick has finished yet' } });

    health.tickOk();
    health.nextDueIn(60_000);
    now += 100_000; // within due (60 s) + grace (60 s)
    expect(await get()).toMatchObject({ status: 200, body: { ok: true, live: true } });

    now += 30_000; // 130 s after the tick: overdue, ticks stopped
    const stopped = await get();
    expect(stopped.status).toBe(503);
    expect(stopped.body).toMatchObject({ ok: false, live: false });
    expect(String(stopped.body.reason)).toMatch(/^ticks stopped: the last one ended 130 s ago/);
  });

  it('is 503 after three failed ticks in a row, though the loop still turns', async () => {
    let now = 0;
    const health = new Health({ graceMs: 60_000, now: () => now });
    const get = await serve(health);
    for (let i = 0; i < 3; i++) {
      health.tickFailed('API_UNAVAILABLE');
      health.nextDueIn(1_000);
      now += 1_000;
    }
    const r = await get();
    expect(r).toMatchObject({ status: 503, body: { ok: false, live: true, consecutive_failures: 3, reason: 'the last 3 ticks failed (API_UNAVAILABLE)' } });
    health.tickOk();
    expect((await get()).status).toBe(200);
  });

  it('never starts before the first tick is due past the grace', async () => {
    let now = 0;
    const health = new Health({ graceMs: 5_000, now: () => now });
    now = 6_000;
    expect(health.snapshot()).toMatchObject({ ok: false, live: false, reason: 'no tick has finished in the 6 s since start-up' });
  });
});
