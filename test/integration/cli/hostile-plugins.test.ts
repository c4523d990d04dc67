// Issue 12's acceptance for plug-ins: with every hostile plug-in of the table configured beside `crowd`,
// `run --sim --once --dry-run` exits 0 with the tick completed; and SIGTERM still stops a daemon whose plug-in loops.
import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, startCli, waitForOutput } from '../../helpers/cli.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'strategies');
const HOSTILE = ['getter-throws', 'then-throws', 'throws-odd', 'loops', 'exits', 'allocates', 'tampers'];

function configWith(dir: string, strategies: object[]): string {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ strategies }));
  return file;
}

/**
 * `run --once --sim --dry-run` with these strategies: it must exit 0 with one completed tick. Returns the opinions
 * recorded (the columns `select` names) and how many narratives the tick saw.
 */
async function onceWith<R>(strategies: object[], select: string): Promise<{ rows: R[]; narratives: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'magma-hostile-'));
  const config = configWith(dir, strategies);
  const r = await runCli(['run', '--once', '--sim', '--dry-run', '--config', config, '--data-dir', dir, '--log-format', 'json'], {}, 120_000);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('"message":"tick.done"');
  const db = new Database(join(dir, 'magma-dry-run.db'), { readonly: true });
  expect(db.prepare('SELECT status FROM ticks').pluck().all()).toEqual(['ok']);
  const narratives = Number(db.prepare('SELECT COUNT(*) FROM narratives').pluck().get());
  const rows = db.prepare(`SELECT ${select} FROM opinions`).all() as R[];
  db.close();
  return { rows, narratives };
}

describe('hostile plug-ins beside crowd', () => {
  it('run --sim --once --dry-run completes the tick; crowd and a well-behaved plug-in see nothing of the tampering', async () => {
    const { rows, narratives } = await onceWith<{ strategy: string; p_true: number | null; error: string | null; rationale: string | null }>([
      { name: 'crowd' },
      ...HOSTILE.map((h) => ({ path: join(FIXTURES, `${h}.mjs`), timeoutMs: 50, memoryMb: 32 })),
      { path: join(FIXTURES, 'observes.mjs') },
    ], 'strategy, p_true, error, rationale');
    expect(narratives).toBeGreaterThan(5);
    const of = (s: string) => rows.filter((o) => o.strategy === s);
    expect(of('crowd')).toHaveLength(narratives);
    expect(of('crowd').every((o) => o.error === null)).toBe(true);
    for (const h of ['getter-throws', 'then-throws', 'throws-odd', 'loops', 'exits', 'allocates']) {
      expect(of(h), h).toHaveLength(narratives);
      expect(of(h).every((o) => o.error !== null && o.p_true === null), h).toBe(true);
    }
    expect(of('tampers').every((o) => o.p_true === 0.5)).toBe(true);
    for (const o of of('observes')) expect(JSON.parse(o.rationale!)).toMatchObject({ proto: null, sources: ['narratives', 'prices'] });
  }, 120_000);

  it('hostile plug-ins beyond the table (a Proxy, huge text, bad numbers, a promise never settled, threads, processes, busy timers) beside crowd: the tick completes', async () => {
    const { rows, narratives } = await onceWith<{ strategy: string; p_true: number | null; error: string | null; rationale: number | null }>([
      { name: 'crowd' },
      ...['returns-proxy', 'huge-text', 'bad-numbers', 'hangs', 'spawns', 'timers'].map((h) => ({ path: join(FIXTURES, `${h}.mjs`), timeoutMs: 200, memoryMb: 64 })),
    ], 'strategy, p_true, error, length(rationale) AS rationale');
    const of = (s: string) => rows.filter((o) => o.strategy === s);
    expect(of('crowd').filter((o) => o.error === null)).toHaveLength(narratives);
    expect(of('returns-proxy').every((o) => o.p_true === 0.7)).toBe(true);
    for (const h of ['bad-numbers', 'hangs', 'spawns']) {
      expect(of(h), h).toHaveLength(narratives);
      expect(of(h).every((o) => o.error !== null && o.p_true === null), h).toBe(true);
    }
    expect(of('huge-text')).toHaveLength(narratives);
    expect(of('huge-text').every((o) => (o.rationale ?? 0) <= 1_000 && (o.error ?? '').length <= 500)).toBe(true);
    expect(of('timers')).toHaveLength(narratives);
  }, 120_000);

  it('SIGTERM stops the daemon while a plug-in is stuck in an endless loop; metrics answer meanwhile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-hostile-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ metrics: { enabled: true, bind: '127.0.0.1', port: 0 }, strategies: [{ name: 'crowd' }, { path: join(FIXTURES, 'loops-announced.mjs'), timeoutMs: 300_000 }] }));
    const child = startCli(['run', '--sim', '--dry-run', '--config', config, '--data-dir', dir, '--log-format', 'json']);
    // Should SIGTERM not work, the child is killed when the test gives up (it must not outlive the suite).
    const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    try {
      await waitForOutput(child, /loops-announced: looping now/);
      const url = /"message":"metrics.listening".*?"url":"([^"]+)"|"url":"([^"]+)".*?"message":"metrics.listening"/.exec(child.output().stdout);
      const res = await request(url![1] ?? url![2]!);
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toContain('magma_');
      child.kill('SIGTERM');
      const result = await child.done;
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('"message":"agent.stopped"');
    } finally {
      clearTimeout(killer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
