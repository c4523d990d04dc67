// The daemon's alerts against a loopback receiver: backings, a gate closing when the operator pauses, the daily
// summary's absence aside, a fatal exit; the receiver's URL (a secret for Slack and co.) never reaches the logs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 120_000 }); // CLI processes on a busy machine
import { runCli, startCli, waitForOutput } from '../../helpers/cli.js';
import { alertReceiver } from '../../helpers/alert-receiver.js';

describe('alerts from the daemon', () => {
  it('posts backings and the gate closing on pause to alerts.url, without holding ticks or logging the URL', async () => {
    const rx = await alertReceiver();
    const dir = mkdtempSync(join(tmpdir(), 'magma-alerts-'));
    const config = join(dir, 'config.json');
    // 0.2 s ticks at 600× simulated time, so a pause is seen within a few seconds
    writeFileSync(config, JSON.stringify({ alerts: { url: rx.url, format: 'json' }, poll: { intervalSeconds: 120, jitterSeconds: 0 }, sim: { speed: 600 } }));
    const child = startCli(['run', '--sim', '--dry-run', '--data-dir', dir, '--config', config, '--log-format', 'json']);
    try {
      await rx.waitFor((b) => b.some((x) => (x as { event: string }).event === 'backing'));
      expect(rx.bodies[0]).toMatchObject({ event: 'backing', severity: 'info', title: expect.stringMatching(/^would back \d/), fields: { narrative_id: expect.any(String) } });
      expect((await runCli(['pause', '--reason', 'maintenance', '--data-dir', dir])).code).toBe(0);
      await rx.waitFor((b) => b.some((x) => (x as { event: string }).event === 'gate'));
      const gate = rx.bodies.find((x) => (x as { event: string }).event === 'gate') as { title: string; fields: { reason: string } };
      expect(gate.title).toBe('backing gate closed');
      expect(gate.fields.reason).toMatch(/paused by the operator .*maintenance/);
      await waitForOutput(child, /"message":"tick.done"/);
    } finally {
      child.kill('SIGTERM');
      const r = await child.done;
      await rx.close();
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).not.toContain('secret-token-abcdef');
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
