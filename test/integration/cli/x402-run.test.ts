// Key-less (api.auth "x402") rehearsals with the real CLI against the in-process simulator: live pays each read once
// (settled in the simulator's LiteSVM) and `history --sim` shows the journal; a dry run pays nothing and says so
// (exit 1); a read over x402.maxPerCallUsd is not paid and the command stops with exit 78 and the reason.
import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

function setup(x402: Record<string, number>): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'magma-x402-'));
  const config = join(dir, 'config.json');
  // no backings (none to wait for): the reads are what is paid
  writeFileSync(config, JSON.stringify({ api: { auth: 'x402' }, x402, dataDir: join(dir, 'data'), risk: { maxOpenPositions: 0 } }));
  return { dir, config };
}

const payments = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT state, route, usd, tx, reason FROM x402_payments ORDER BY id').all() as Array<{ state: string; route: string; usd: number; tx: string | null; reason: string | null }>;
  } finally {
    db.close();
  }
};

describe('run --once --sim with api.auth x402', () => {
  it('pays every read once, live; history --sim lists the payments', async () => {
    const { dir, config } = setup({ maxPerCallUsd: 0.01, maxPerDayUsd: 1 });
    const run = await runCli(['--config', config, 'run', '--once', '--sim', '--log-format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const rows = payments(join(dir, 'data', 'magma-sim.db'));
    expect(rows.map((r) => r.route)).toContain('/v1/agent/feed');
    expect(rows.every((r) => r.state === 'settled' && r.usd === 0.001 && r.tx !== null)).toBe(true);
    const history = await runCli(['--config', config, 'history', '--sim', '--json']);
    expect(history.code).toBe(0);
    expect((JSON.parse(history.stdout) as { x402_payments: unknown[] }).x402_payments).toHaveLength(rows.length);
  });

  it('pays nothing in a dry run and says why', async () => {
    const { dir, config } = setup({ maxPerCallUsd: 0.01, maxPerDayUsd: 1 });
    const run = await runCli(['--config', config, 'run', '--once', '--sim', '--dry-run', '--log-format', 'json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('a dry run or backtest never moves money');
    expect(payments(join(dir, 'data', 'magma-dry-run.db')).map((r) => r.state)).toEqual(['refused']);
  });

  it('pays nothing over x402.maxPerCallUsd and stops for the operator (exit 78)', async () => {
    const { dir, config } = setup({ maxPerCallUsd: 0.0005, maxPerDayUsd: 1 });
    const run = await runCli(['--config', config, 'run', '--once', '--sim', '--log-format', 'json']);
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('is over x402.maxPerCallUsd');
    const rows = payments(join(dir, 'data', 'magma-sim.db'));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.state === 'refused' && r.tx === null)).toBe(true);
  });
});
