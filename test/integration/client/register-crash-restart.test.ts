// A crash between the register answer and storing the key: the restart must not register again (MAGMA shows a key
// once and allows ~5 registrations an hour), and must tell the operator how to recover.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../../src/sim/simulator.js';
import { CLI, ROOT, runCli } from '../../helpers/cli.js';


async function simAgents(base: string): Promise<unknown[]> {
  const r = await request(`${base}/__sim/state`);
  return ((await r.body.json()) as { agents: unknown[] }).agents;
}

describe('registration across a crash', () => {
  const sim = new Simulator({ seed: 3, speed: 1 });
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
    const urls = await sim.start();
    dir = mkdtempSync(join(tmpdir(), 'magma-crash-'));
    const keygen = spawnSync(process.execPath, [CLI, 'keygen', '--out', join(dir, 'wallet.json')], { encoding: 'utf8' });
    if (keygen.status !== 0) throw new Error(`keygen failed: ${keygen.stderr}`);
    env = { MAGMA_API_URL: urls.api, MAGMA_RPC_URL: urls.rpc, MAGMA_KEYPAIR: join(dir, 'wallet.json'), MAGMA_LOG_LEVEL: 'warn' };
  }, 60_000);

  afterAll(async () => {
    await sim.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('dies after the register answer, then refuses to register again and says how to recover', async () => {
    const data = join(dir, 'data');
    const crashed = await runCli(['run', '--once', '--dry-run', '--data-dir', data], { ...env, MAGMA_CRASH_AT: 'after-register-response' });
    expect(crashed.signal).toBe('SIGKILL');
    expect(await simAgents(sim.urls.api)).toHaveLength(1);

    const restarted = await runCli(['run', '--once', '--dry-run', '--data-dir', data], env);
    expect(restarted.code).not.toBe(0);
    expect(restarted.stderr).toMatch(/may have created an agent/);
    expect(restarted.stderr).toMatch(/MAGMA_API_KEY/);
    expect(restarted.stderr).toMatch(/register-attempt\.json/);
    expect(await simAgents(sim.urls.api)).toHaveLength(1); // no second registration

    const again = await runCli(['run', '--once', '--dry-run', '--data-dir', data], env);
    expect(again.code).not.toBe(0);
    expect(await simAgents(sim.urls.api)).toHaveLength(1);
  }, 60_000);
});
