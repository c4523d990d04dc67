// metrics.enabled serves Prometheus text (prom-client, kept in process) and /healthz on the configured loopback port
// while the daemon runs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { freePort, runCli, startCli, waitForOutput } from '../../helpers/cli.js';

describe('metrics', () => {
  it('serves every figure of the daemon as Prometheus text, counted by this process only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-metrics-'));
    const port = await freePort();
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ metrics: { enabled: true, bind: '127.0.0.1', port } }));
    // an earlier run in the same data directory: its ticks are in the database, not in this process's counters
    // (paused, so that it backs nothing and this daemon's first tick has narratives left to back)
    expect((await runCli(['pause', '--data-dir', dir])).code).toBe(0);
    expect((await runCli(['run', '--once', '--sim', '--dry-run', '--data-dir', dir])).code).toBe(0);
    expect((await runCli(['resume', '--data-dir', dir])).code).toBe(0);
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
      // the rest of the list: feed items, rejected items, decisions that backed, backings by state, in flight and
      // stuck, exposure, both gates, strategy errors
      expect(text).toMatch(/^magma_feed_items_total [1-9]\d*$/m);
      expect(text).toMatch(/^magma_feed_items_rejected_total 0$/m);
      expect(text).toMatch(/^magma_decisions_total\{kind="back",action="back"\} [1-9]\d*$/m);
      expect(text).toMatch(/^magma_backings_total\{state="simulated"\} [1-9]\d*$/m);
      expect(text).toMatch(/^magma_backings_in_flight 0$/m);
      expect(text).toMatch(/^magma_backings_stuck 0$/m);
      expect(text).toMatch(/^magma_exposure_lamports [1-9]\d*$/m);
      expect(text).toMatch(/^magma_gate_open\{gate="resolution"\} 1$/m);
      expect(text).toMatch(/^# TYPE magma_strategy_errors_total counter$/m);
      // each configured strategy's error series is there at 0 before its first error (for rate() and alerts), and
      // a failed-ticks series beside the ok one
      expect(text).toMatch(/^magma_strategy_errors_total\{strategy="crowd"\} 0$/m);
      expect(text).toMatch(/^magma_strategy_errors_total\{strategy="price-threshold"\} 0$/m);
      expect(text).toMatch(/^magma_ticks_total\{status="failed"\} 0$/m);
      expect(text).toMatch(/^# TYPE magma_tick_duration_seconds histogram$/m);
      expect(text).toMatch(/^magma_tick_duration_seconds_bucket\{le="\+Inf",status="ok"\} 1$/m);
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
