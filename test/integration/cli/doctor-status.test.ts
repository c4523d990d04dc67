// doctor and status against a simulator started by the test: every check passes on a healthy setup, and each
// failure names what to fix.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../../src/sim/simulator.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
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

  it('status shows the ensemble\'s learned weights from the database (issue 17)', async () => {
    const before = await runCli(['status'], env);
    expect(before.stdout).toMatch(/ensemble\s+configured weights \(nothing settled to learn from yet\)/);
    const store = SqliteStore.open(join(dir, 'magma.db'));
    store.saveEnsembleWeights({
      updatedAt: '2026-01-05T00:00:00.000Z',
      groups: [{ category: 'MARKET', samples: 300, narratives: 40, scale: 1.05, lead: 'price-threshold', strategies: [{ strategy: 'crowd', weight: 0.1, a: 0, b: 1 }, { strategy: 'price-threshold', weight: 0.9, a: 0.05, b: 1.02 }] }],
    });
    store.close();
    const text = await runCli(['status'], env);
    expect(text.stdout).toMatch(/MARKET\s+40 narratives\s+lead price-threshold\s+crowd 0\.10 \(a 0\.00, b 1\.00\)\s+price-threshold 0\.90/);
    const json = JSON.parse((await runCli(['status', '--json'], env)).stdout) as { ensemble_weights: { groups: Array<{ lead: string }> } };
    expect(json.ensemble_weights.groups[0]!.lead).toBe('price-threshold');
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
