// SIGTERM while a live backing is in flight: the daemon stops within 10 s without calling the backing failed; the
// next start resumes it from the journal and it lands and is reported once.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFaults } from '../../../src/sim/routes/control.js';
import { Simulator } from '../../../src/sim/simulator.js';
import { generateKeypairFile } from '../../../src/wallet/keypair.js';
import { ROOT, runCli, startCli, waitForOutput } from '../../helpers/cli.js';
import { GOOD_STRATEGY } from '../../helpers/live-sim.js';

const sim = new Simulator({ seed: 7, speed: 10 });

describe('stopping the live daemon mid-flight', () => {
  beforeAll(async () => {
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
    await sim.start();
  }, 60_000);
  afterAll(() => sim.stop());

  it('exits 0 within 10 s on SIGTERM with the backing still sent, and the restart lands and reports it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-term-live-'));
    const wallet = generateKeypairFile(join(dir, 'wallet.json')).publicKey.toBase58();
    const apiKey = `mk_term_${'y'.repeat(30)}`;
    sim.restoreAgent({ id: 'ag_term', apiKey, name: 'term', description: null, walletAddress: wallet, createdAt: new Date(0).toISOString() });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({
      strategies: [{ path: GOOD_STRATEGY }], risk: { maxStakeSol: 0.01, maxOpenPositions: 1 }, backing: { pollMs: 50, resendMs: 200 },
    }));
    const env = { MAGMA_API_URL: sim.urls.api, MAGMA_RPC_URL: sim.urls.rpc, MAGMA_KEYPAIR: join(dir, 'wallet.json'), MAGMA_API_KEY: apiKey, MAGMA_DATA_DIR: join(dir, 'data') };
    applyFaults(sim.state, { dropTransactions: 100_000 }); // answered, never landing: the backing stays in flight

    const child = startCli(['run', '--config', join(dir, 'config.json'), '--log-format', 'json'], env);
    await waitForOutput(child, /"message":"backing.sent"/);
    const sentAt = Date.now();
    child.kill('SIGTERM');
    const stopped = await child.done;
    expect(stopped.code).toBe(0);
    expect(Date.now() - sentAt).toBeLessThan(10_000);
    let db = new Database(join(dir, 'data', 'magma.db'));
    expect(db.prepare('SELECT state FROM backings').pluck().all()).toEqual(['sent']);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    applyFaults(sim.state, { dropTransactions: 0 });
    const again = await runCli(['run', '--once', '--config', join(dir, 'config.json'), '--log-format', 'json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('"message":"backing.resuming"');
    db = new Database(join(dir, 'data', 'magma.db'), { readonly: true });
    const rows = db.prepare('SELECT state, signature FROM backings').all() as Array<{ state: string; signature: string }>;
    db.close();
    expect(rows.map((r) => r.state)).toEqual(['reported']);
    const transfers = sim.state.chain.transfers.filter((t) => t.kind === 'backing' && t.from === wallet);
    expect(transfers.map((t) => t.signature)).toEqual([rows[0]!.signature]);
    expect(sim.state.reports.has(rows[0]!.signature)).toBe(true);
  }, 60_000);
});
