// metrics.enabled serves Prometheus text (prom-client, kept in process) and /healthz on the configured loopback port
// while the daemon runs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { startCli, waitForOutput } from '../../helpers/cli.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('metrics', () => {
  it('serves ticks, decisions, API calls and positions as Prometheus text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-metrics-'));
    const port = await freePort();
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ metrics: { enabled: true, bind: '127.0.0.1', port } }));
    const child = startCli(['run', '--sim', '--dry-run', '--data-dir', dir, '--config', config, '--log-format', 'json']);
    try {
      await waitForOutput(child, /"message":"tick.done"/);
      const res = await request(`http://127.0.0.1:${port}/metrics`);
      const text = await res.body.text();
      expect(res.statusCode).toBe(200);
      expect(text).toMatch(/^magma_ticks_total\{status="ok"\} 1$/m);
      expect(text).toMatch(/^magma_decisions_total\{kind="back",action="skip"\} \d+$/m);
      expect(text).toMatch(/^magma_api_calls_total\{family="feed",status="200"\} 1$/m);
      expect(text).toMatch(/^magma_open_positions \d+$/m);
      expect(text).toMatch(/^magma_build_info\{version="[^"]+",node="v\d+[^"]*",dry_run="true",sim="true"\} 1$/m);
      expect(text).toMatch(/^magma_tick_duration_seconds_count\{status="ok"\} 1$/m);
      expect(text).toMatch(/^magma_gate_open\{gate="backing"\} 1$/m);
      expect(text).toMatch(/^magma_balance_lamports \d+$/m);
      expect(text).toMatch(/^magma_rate_budget_remaining\{family="feed"\} \d+$/m);
      expect(text).toMatch(/^magma_last_successful_tick_timestamp_seconds (\d+)$/m);
      // wall time, not the simulator's clock
      const last = Number(/^magma_last_successful_tick_timestamp_seconds (\d+)$/m.exec(text)![1]);
      expect(Math.abs(last - Date.now() / 1000)).toBeLessThan(600);
      expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
      expect(text).toMatch(/^magma_paused 0$/m);
      const health = await request(`http://127.0.0.1:${port}/healthz`);
      expect(health.statusCode).toBe(200);
      expect(await health.body.json()).toMatchObject({ ok: true, reason: 'ticking on schedule', consecutive_failures: 0 });
      const other = await request(`http://127.0.0.1:${port}/`);
      expect(other.statusCode).toBe(404);
      await other.body.dump();
    } finally {
      child.kill('SIGTERM');
      await child.done;
    }
  });
});
