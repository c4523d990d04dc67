// The read commands as an operator runs them: the built CLI against the simulator (status) and against a small
// loopback MAGMA double for the routes the simulator does not serve yet (portfolio, history, leaderboard).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../../src/sim/simulator.js';
import { CLI, ROOT, runCli } from '../../helpers/cli.js';

const KEY = 'mgma_test_read_commands_0123456789abcdef';

/** The CLI with only errors logged. */
const cli = (args: string[], env: Record<string, string>) => runCli(args, { MAGMA_LOG_LEVEL: 'error', ...env }, 20_000);

describe('read commands', () => {
  const sim = new Simulator({ seed: 2 });
  let fake: Server;
  let fakeUrl: string;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
    const urls = await sim.start();
    fake = createServer((req, res) => {
      const body = (() => {
        if (req.url === '/v1/agent/leaderboard') return { ok: true, leaderboard: [{ id: 'ag_1', name: 'alpha', wallet_address: 'W1', total_backings: 3, total_volume_sol: 2.5, total_pnl_sol: -0.25 }] };
        if (req.headers['x-api-key'] !== KEY) return null;
        if (req.url === '/v1/agent/portfolio' || req.url === '/v1/agent/history') {
          return { ok: true, wallet_address: 'W1', positions: [{ id: 'p1', narrative_id: 'n1', amount_sol: 0.123456789, usd_equivalent: 20, yield_type: 'kamino', created_at: '2026-04-07T09:00:00Z', narratives: { title: 'SOL up', oracle_status: 'open' } }] };
        }
        return undefined;
      })();
      if (body === null) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'Invalid or missing API key' }));
      } else if (body === undefined) {
        res.writeHead(404).end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      }
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'magma-read-'));
    spawnSync(process.execPath, [CLI, 'keygen', '--out', join(dir, 'wallet.json')]);
    env = { MAGMA_API_URL: urls.api, MAGMA_RPC_URL: urls.rpc, MAGMA_KEYPAIR: join(dir, 'wallet.json'), MAGMA_DATA_DIR: join(dir, 'data') };
  }, 60_000);

  afterAll(async () => {
    await sim.stop();
    fake?.closeAllConnections();
    await new Promise<void>((r) => (fake ? fake.close(() => r()) : r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('status --json says whether writes are allowed and why not', async () => {
    const ok = await cli(['status', '--json'], env);
    expect(ok.code).toBe(0);
    const s = JSON.parse(ok.stdout);
    expect(s).toMatchObject({ writes_allowed: true, system: { ok: true }, terms: { ok: true, value: { accepted: true } }, balance: { ok: true, value: { lamports: '20000000000' } } });

    await fetch(`${sim.urls.control}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ halted: ['backing'], termsRejected: ['*'] }) });
    const blocked = await cli(['status'], env);
    expect(blocked.code).toBe(0);
    expect(blocked.stdout).toMatch(/writes blocked: protocol halted: backing; terms not accepted/);
  }, 30_000);

  it('portfolio and history need a key (exit 78 with what to do), then print a table or exact JSON', async () => {
    const fakeEnv = { ...env, MAGMA_API_URL: fakeUrl };
    const noKey = await cli(['portfolio'], fakeEnv);
    expect(noKey.code).toBe(78);
    expect(noKey.stderr).toMatch(/magma-agent register|MAGMA_API_KEY/);

    const table = await cli(['portfolio'], { ...fakeEnv, MAGMA_API_KEY: KEY });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/SOL up/);
    expect(table.stdout).toMatch(/0\.1235 SOL/);

    const json = await cli(['history', '--json'], { ...fakeEnv, MAGMA_API_KEY: KEY });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).positions[0]).toMatchObject({ amountLamports: '123456789', narrativeId: 'n1' });
    expect(json.stdout + json.stderr).not.toContain(KEY);

    const badKey = await cli(['portfolio'], { ...fakeEnv, MAGMA_API_KEY: 'mgma_wrong_key_000000' });
    expect(badKey.code).toBe(78);
    expect(badKey.stderr).not.toContain('mgma_wrong_key_000000');
  }, 30_000);

  it('leaderboard prints a table, --json keeps lamports exact, and a bad option is exit 2', async () => {
    const fakeEnv = { ...env, MAGMA_API_URL: fakeUrl };
    const table = await cli(['leaderboard'], fakeEnv);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/alpha/);
    const json = await cli(['leaderboard', '--json'], fakeEnv);
    expect(JSON.parse(json.stdout).leaderboard[0]).toMatchObject({ totalPnlLamports: '-250000000', totalVolumeLamports: '2500000000' });
    expect((await cli(['leaderboard', '--nope'], fakeEnv)).code).toBe(2);
    const down = await cli(['leaderboard'], { ...env, MAGMA_API_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(1);
  }, 30_000);
});
