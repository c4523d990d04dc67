// SIGTERM during `run`: exits 0 within 10 s, the database passes integrity_check, nothing recorded is lost.
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli, waitForOutput } from '../../helpers/cli.js';

async function stopWith(signal: NodeJS.Signals, whenOutput: RegExp) {
  const dir = mkdtempSync(join(tmpdir(), 'magma-term-'));
  const child = startCli(['run', '--sim', '--dry-run', '--data-dir', dir, '--log-format', 'json']);
  await waitForOutput(child, whenOutput);
  const sentAt = Date.now();
  child.kill(signal);
  const result = await child.done;
  const db = new Database(join(dir, 'magma-dry-run.db'), { readonly: true });
  const integrity = db.pragma('integrity_check', { simple: true });
  const ticks = db.prepare('SELECT status FROM ticks ORDER BY id').pluck().all() as string[];
  db.close();
  return { result, elapsedMs: Date.now() - sentAt, integrity, ticks };
}

describe('stopping the daemon', () => {
  it('exits 0 within 10 s on SIGTERM while waiting between ticks', async () => {
    const { result, elapsedMs, integrity, ticks } = await stopWith('SIGTERM', /"message":"tick.done"/);
    expect(result.code).toBe(0);
    expect(elapsedMs).toBeLessThan(10_000);
    expect(integrity).toBe('ok');
    expect(ticks).toEqual(['ok']);
    expect(result.stdout).toContain('"message":"agent.stopped"');
  });

  it('exits 0 on SIGTERM in the middle of a tick and records the tick as ok or aborted, never half-written', async () => {
    const { result, elapsedMs, integrity, ticks } = await stopWith('SIGTERM', /"message":"agent.started"/);
    expect(result.code).toBe(0);
    expect(elapsedMs).toBeLessThan(10_000);
    expect(integrity).toBe('ok');
    expect(ticks.every((s) => s === 'ok' || s === 'aborted')).toBe(true);
  });

  it('treats SIGINT (Ctrl-C) the same way', async () => {
    const { result, integrity } = await stopWith('SIGINT', /"message":"tick.done"/);
    expect(result.code).toBe(0);
    expect(integrity).toBe('ok');
  });
});
