// The daemon's alerts against a loopback receiver: backings, a gate closing when the operator pauses, the daily
// summary's absence aside, a fatal exit; the receiver's URL (a secret for Slack and co.) never reaches the logs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 120_000 }); // CLI processes on a busy machine
import { freePort, runCli, startCli, waitForOutput } from '../../helpers/cli.js';
import { alertReceiver } from '../../helpers/alert-receiver.js';
import { request } from 'undici';

describe('alerts from the daemon', () => {
  it('posts backings, a pause and the gate closing to alerts.url, shows the pause in status and metrics, without holding ticks or logging the URL', async () => {
    const rx = await alertReceiver();
    const dir = mkdtempSync(join(tmpdir(), 'magma-alerts-'));
    const config = join(dir, 'config.json');
    const port = await freePort();
    // 0.2 s ticks at 600× simulated time, so a pause is seen within a few seconds
    writeFileSync(config, JSON.stringify({ alerts: { url: rx.url, format: 'json' }, poll: { intervalSeconds: 120, jitterSeconds: 0 }, sim: { speed: 600 }, metrics: { enabled: true, bind: '127.0.0.1', port } }));
    const child = startCli(['run', '--sim', '--dry-run', '--data-dir', dir, '--config', config, '--log-format', 'json']);
    const event = (name: string) => rx.bodies.find((x) => (x as { event: string }).event === name) as { title: string; fields: { reason: string } } | undefined;
    try {
      await rx.waitFor((b) => b.some((x) => (x as { event: string }).event === 'backing'));
      expect(rx.bodies[0]).toMatchObject({ event: 'backing', severity: 'info', title: expect.stringMatching(/^would back \d/), fields: { narrative_id: expect.any(String) } });
      expect((await runCli(['pause', '--reason', 'maintenance', '--data-dir', dir])).code).toBe(0);
      await rx.waitFor((b) => b.some((x) => (x as { event: string }).event === 'gate') && b.some((x) => (x as { event: string }).event === 'pause'));
      expect(event('gate')!.title).toBe('backing gate closed');
      expect(event('gate')!.fields.reason).toMatch(/paused by the operator .*maintenance/);
      expect(event('pause')).toMatchObject({ title: 'paused: no new backings or verdicts', fields: { reason: expect.stringMatching(/maintenance/) } });
      await waitForOutput(child, /"message":"tick.done"/);
      const metrics = await (await request(`http://127.0.0.1:${port}/metrics`)).body.text();
      expect(metrics).toMatch(/^magma_paused 1$/m);
      expect(metrics).toMatch(/^magma_gate_open\{gate="backing"\} 0$/m);
      // status, against the daemon's own simulator, says why writes are blocked
      const api = /"api":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(child.output().stdout.split('\n').find((l) => l.includes('"sim.started"')) ?? '')?.[1];
      expect(api).toBeDefined();
      const status = await runCli(['status', '--json', '--data-dir', dir], { MAGMA_API_URL: api!, MAGMA_RPC_URL: `${api!}/rpc` });
      expect(status.stderr).toBe('');
      const st = JSON.parse(status.stdout) as { writes_allowed: boolean; paused: { reason: string } | null; blockers: string[] };
      expect(st).toMatchObject({ writes_allowed: false, paused: { reason: 'maintenance' } });
      expect(st.blockers.join(';')).toMatch(/paused by the operator since .* \(maintenance\): `magma-agent resume` lifts it/);
      expect((await runCli(['resume', '--data-dir', dir])).code).toBe(0);
      await rx.waitFor((b) => b.some((x) => (x as { title: string }).title === 'resumed'));
    } finally {
      child.kill('SIGTERM');
      const r = await child.done;
      await rx.close();
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).not.toContain('secret-token-abcdef');
    }
  });

  it('posts the daily summary when the UTC day turns', async () => {
    const rx = await alertReceiver();
    const dir = mkdtempSync(join(tmpdir(), 'magma-alerts-daily-'));
    const config = join(dir, 'config.json');
    // hourly ticks at the simulator's top speed: a simulated day in a few seconds
    writeFileSync(config, JSON.stringify({ alerts: { url: rx.url, format: 'json', events: ['daily'] }, poll: { intervalSeconds: 3600, jitterSeconds: 0 }, sim: { speed: 100_000 } }));
    const child = startCli(['run', '--sim', '--dry-run', '--data-dir', dir, '--config', config, '--log-format', 'json']);
    try {
      await rx.waitFor((b) => b.length > 0, 60_000);
      const daily = rx.bodies[0] as { event: string; title: string; fields: Record<string, unknown> };
      expect(daily).toMatchObject({ event: 'daily', severity: 'info', title: expect.stringMatching(/^daily summary for \d{4}-\d\d-\d\d$/) });
      expect(daily.fields).toMatchObject({ day: expect.stringMatching(/^\d{4}-\d\d-\d\d/), ticks: expect.any(Number), backed: expect.any(Number), staked: expect.any(String), dry_run: true });
      expect(daily.fields.ticks as number).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
      expect((await child.done).code).toBe(0);
      await rx.close();
    }
  });

  it('posts a fatal exit at start-up too (a metrics port in use), before the process ends', async () => {
    const rx = await alertReceiver();
    const dir = mkdtempSync(join(tmpdir(), 'magma-alerts-start-'));
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ alerts: { url: rx.url, format: 'discord' }, metrics: { enabled: true, bind: '127.0.0.1', port } }));
    try {
      const r = await runCli(['run', '--sim', '--dry-run', '--data-dir', dir, '--config', config, '--log-format', 'json']);
      expect(r.code).toBe(78);
      expect(r.stdout).toMatch(/"code":"METRICS_BIND_FAILED","level":"error","message":"agent.fatal"/);
      expect(rx.bodies).toHaveLength(1);
      expect((rx.bodies[0] as { content: string }).content).toMatch(/stopped: needs an operator\ncode: METRICS_BIND_FAILED\nerror: cannot listen for metrics scrapes/);
    } finally {
      busy.close();
      await rx.close();
    }
  });

  it('posts a fatal exit before the process ends', async () => {
    const rx = await alertReceiver();
    const dir = mkdtempSync(join(tmpdir(), 'magma-alerts-fatal-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ alerts: { url: rx.url, format: 'slack' }, sim: { speed: 600 }, poll: { intervalSeconds: 120 } }));
    try {
      // a key the simulator refuses, three ticks in a row: the daemon stops for an operator (exit 78)
      const r = await runCli(['run', '--sim', '--dry-run', '--data-dir', dir, '--config', config, '--log-format', 'json'], { MAGMA_API_KEY: 'refused-key-000' });
      expect(r.code).toBe(78);
      expect(rx.bodies.some((b) => /stopped: needs an operator/.test((b as { text: string }).text))).toBe(true);
      expect(JSON.stringify(rx.bodies)).not.toContain('refused-key-000');
    } finally {
      await rx.close();
    }
  });
});
