// GET /v1/health (PROTOCOL.md section 9) against the simulator: the client and `doctor` tell a backend that is up from
// one that is down, and say what to do.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTransport } from '../../../src/http/transport.js';
import { HttpMagmaApi } from '../../../src/magma/http-magma-api.js';
import { applyFaults } from '../../../src/sim/routes/control.js';
import { Simulator } from '../../../src/sim/simulator.js';
import { runCli } from '../../helpers/cli.js';

describe('MAGMA health', () => {
  const sim = new Simulator({ seed: 3 });
  let urls: { api: string; rpc: string };
  let transport: HttpTransport;

  beforeAll(async () => {
    urls = await sim.start();
    transport = new HttpTransport({ baseUrl: urls.api, timeoutMs: 5_000, readRetries: 0 });
  });
  afterAll(async () => {
    await transport.close();
    await sim.stop();
  });

  it('resolves while the backend is up, and rejects with the route named while it is down', async () => {
    const api = new HttpMagmaApi({ transport, apiKey: () => null });
    await expect(api.health()).resolves.toBeUndefined();
    applyFaults(sim.state, { halted: ['all'] });
    try {
      await expect(api.health()).rejects.toThrow(/503/);
    } finally {
      applyFaults(sim.state, { reset: true });
    }
  });

  it('doctor checks it first and says what to do when it fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-health-'));
    const env = { MAGMA_API_URL: urls.api, MAGMA_RPC_URL: urls.rpc, MAGMA_DATA_DIR: join(dir, 'data') };
    applyFaults(sim.state, { halted: ['all'] });
    try {
      const r = await runCli(['doctor'], env);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/✘ MAGMA API\s+\S+\/v1\/health did not say ok \(.*503.*\): MAGMA is down or api\.url is wrong\./);
    } finally {
      applyFaults(sim.state, { reset: true });
    }
    const ok = await runCli(['doctor', '--json'], env);
    const checks = (JSON.parse(ok.stdout) as { checks: Array<{ name: string; ok: boolean; detail: string }> }).checks;
    expect(checks.find((c) => c.name === 'MAGMA API')).toMatchObject({ ok: true });
  });
});
