// `run --once --sim --dry-run` end to end: the real CLI, the in-process simulator on a loopback port, a real database.
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const count = (db: Database.Database, table: string) => Number(db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get());

describe('run --once --sim --dry-run', () => {
  it('records a tick, snapshots, opinions and decisions, and a second run registers nothing new', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-run-'));
    const first = await runCli(['run', '--once', '--sim', '--dry-run', '--data-dir', dir, '--log-format', 'json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const events = first.stdout.trim().split('\n').map((l) => JSON.parse(l) as { message: string; key_source?: string });
    expect(events.map((e) => e.message)).toContain('agent.registered');
    expect(events.find((e) => e.message === 'agent.started')!.key_source).toBe('registered');

    // the key is stored 0600 before use, the wallet too; the simulator's key apart from MAGMA's (never agent-key.json,
    // which `register` and a live `run` would take for MAGMA's)
    expect(statSync(join(dir, 'agent-key.sim.json')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'agent-key.json'))).toBe(false);
    expect(statSync(join(dir, 'wallet.json')).mode & 0o777).toBe(0o600);
    const key = readFileSync(join(dir, 'agent-key.sim.json'), 'utf8');
    expect(first.stdout).not.toContain(JSON.parse(key).apiKey); // never logged

    const db = new Database(join(dir, 'magma-dry-run.db'), { readonly: true });
    expect(db.prepare(`SELECT status FROM ticks`).pluck().all()).toEqual(['ok']);
    expect(count(db, 'narrative_snapshots')).toBeGreaterThan(10);
    expect(count(db, 'opinions')).toBeGreaterThan(10);
    expect(count(db, 'decisions')).toBe(count(db, 'narratives'));
    expect(db.prepare(`SELECT COUNT(*) FROM decisions WHERE dry_run = 1`).pluck().get()).toBe(count(db, 'decisions'));
    expect(db.prepare(`SELECT route FROM api_calls ORDER BY id`).pluck().all()).toContain('/v1/agent/feed');
    db.close();

    const second = await runCli(['run', '--once', '--sim', '--dry-run', '--data-dir', dir, '--log-format', 'json']);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('agent.registered');
    expect(readFileSync(join(dir, 'agent-key.sim.json'), 'utf8')).toBe(key);
    const db2 = new Database(join(dir, 'magma-dry-run.db'), { readonly: true });
    expect(db2.prepare(`SELECT COUNT(*) FROM api_calls WHERE route = '/v1/agent/register'`).pluck().get()).toBe(1);
    expect(count(db2, 'ticks')).toBe(2);
    // the same simulated moment again: nothing changed, so no new snapshots
    expect(db2.prepare(`SELECT COUNT(DISTINCT tick_id) FROM narrative_snapshots`).pluck().get()).toBe(1);
    db2.close();
  });

  it('keeps simulated live and dry-run records in their own database files, never the live magma.db', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-run-'));
    expect((await runCli(['run', '--once', '--sim', '--data-dir', dir])).code).toBe(0);
    expect(statSync(join(dir, 'magma-sim.db')).isFile()).toBe(true); // issue 14: --sim never writes into magma.db
    expect(() => statSync(join(dir, 'magma.db'))).toThrow();
    expect(() => statSync(join(dir, 'magma-dry-run.db'))).toThrow();
  });
});
