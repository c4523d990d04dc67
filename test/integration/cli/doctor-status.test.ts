// doctor and status against a simulator started by the test: every check passes on a healthy setup, and each
// failure names what to fix.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../../src/sim/simulator.js';
import { runCli } from '../../helpers/cli.js';

let sim: Simulator;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  sim = new Simulator({ seed: 8, speed: 60 });
  const urls = await sim.start();
  dir = mkdtempSync(join(tmpdir(), 'magma-doctor-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ prices: { source: 'sim', url: urls.api } }));
  env = { MAGMA_API_URL: urls.api, MAGMA_RPC_URL: urls.rpc, MAGMA_DATA_DIR: dir, MAGMA_CONFIG: config };
  expect((await runCli(['keygen', '--out', join(dir, 'wallet.json')])).code).toBe(0);
  expect((await runCli(['register', '--name', 'doctor-test'], env)).code).toBe(0);
});
afterAll(() => sim.stop());

describe('doctor and status', () => {
  it('doctor passes every check on a healthy setup', async () => {
    const r = await runCli(['doctor'], env);
    expect(r.stdout).toContain('all checks passed');
    expect(r.code).toBe(0);
    for (const check of ['config', 'data directory', 'wallet', 'agent key', 'database', 'MAGMA API', 'terms', 'Solana RPC', 'prices']) {
      expect(r.stdout).toMatch(new RegExp(`✔ ${check}`));
    }
  });

  it('doctor names each failure and what to do, and exits 1', async () => {
    const res = await request(`${sim.urls.control}/faults`, { method: 'POST', body: JSON.stringify({ halted: ['backing'], termsRejected: ['*'] }), headers: { 'content-type': 'application/json' } });
    await res.body.dump();
    try {
      const r = await runCli(['doctor', '--json'], env);
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean; detail: string }> };
      expect(out.ok).toBe(false);
      expect(out.checks.find((c) => c.name === 'MAGMA API')!.detail).toMatch(/halted: backing/);
      expect(out.checks.find((c) => c.name === 'terms')!.detail).toMatch(/accept them in the MAGMA app/);
      const status = await runCli(['status'], env);
      expect(status.stdout).toMatch(/backing/);
    } finally {
      const clear = await request(`${sim.urls.control}/faults`, { method: 'POST', body: JSON.stringify({ halted: [], termsRejected: [] }), headers: { 'content-type': 'application/json' } });
      await clear.body.dump();
    }
  });

  it('doctor flags a stored key other users can read', async () => {
    chmodSync(join(dir, 'agent-key.json'), 0o644);
    try {
      const r = await runCli(['doctor'], env);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/✘ agent key .*chmod 600/);
    } finally {
      chmodSync(join(dir, 'agent-key.json'), 0o600);
    }
  });
});
