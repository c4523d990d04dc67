// One daemon per data directory, a stale lock taken over, and a clean stop even while a strategy hangs.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, startCli, waitForOutput } from '../../helpers/cli.js';

describe('one agent per data directory', () => {
  it('gives the lock to exactly one of eight agents starting at the same moment (none reads a lock half written)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-lock-race-'));
    const lockModule = pathToFileURL(join(ROOT, 'dist', 'src', 'fs', 'instance-lock.js')).href;
    const at = Date.now() + 1_500;
    const script = `const { acquireInstanceLock } = await import(${JSON.stringify(lockModule)});
      while (Date.now() < ${at}); // all start together
      try { const l = acquireInstanceLock(${JSON.stringify(dir)}); process.stdout.write('got'); setTimeout(() => l.release(), 1_500); }
      catch (e) { process.stdout.write('busy:' + e.code); }`;
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.on('close', () => resolve(out));
    })));
    expect(outcomes.filter((o) => o === 'got')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'busy:INSTANCE_RUNNING')).toHaveLength(7);
  });

  it('refuses a second daemon on the same data directory and says which process holds it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-lock-'));
    const first = startCli(['run', '--sim', '--dry-run', '--data-dir', dir, '--log-format', 'json']);
    try {
      await waitForOutput(first, /"message":"tick.done"/);
      const second = await runCli(['run', '--once', '--sim', '--dry-run', '--data-dir', dir]);
      expect(second.code).toBe(78); // INSTANCE_RUNNING: systemd must not restart into the same lock
      expect(second.stderr).toContain(`another magma-agent (pid ${first.pid}) is already running on ${dir}`);
    } finally {
      first.kill('SIGTERM');
      await first.done;
    }
    expect((await runCli(['run', '--once', '--sim', '--dry-run', '--data-dir', dir])).code).toBe(0); // released on exit
  });

  it('refuses a second daemon on another data directory that uses the same wallet', async () => {
    const keys = mkdtempSync(join(tmpdir(), 'magma-wallet-'));
    const wallet = join(keys, 'wallet.json');
    expect((await runCli(['keygen', '--out', wallet])).code).toBe(0);
    const a = mkdtempSync(join(tmpdir(), 'magma-lock-a-'));
    const b = mkdtempSync(join(tmpdir(), 'magma-lock-b-'));
    const first = startCli(['run', '--sim', '--dry-run', '--data-dir', a, '--log-format', 'json'], { MAGMA_KEYPAIR: wallet });
    try {
      await waitForOutput(first, /"message":"tick.done"/);
      const second = await runCli(['run', '--once', '--sim', '--dry-run', '--data-dir', b], { MAGMA_KEYPAIR: wallet });
      expect(second.code).toBe(78); // INSTANCE_RUNNING: systemd must not restart into the same lock
      expect(second.stderr).toContain(`another magma-agent (pid ${first.pid}) is already running with the wallet ${wallet}`);
    } finally {
      first.kill('SIGTERM');
      await first.done;
    }
  });

  it('takes over a lock left by a process that died', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-lock-'));
    writeFileSync(join(dir, 'magma-agent.lock'), '2147483646\n');
    expect((await runCli(['run', '--once', '--sim', '--dry-run', '--data-dir', dir])).code).toBe(0);
  });
});

describe('stopping while a strategy hangs', () => {
  it('SIGTERM stops within 10 s, exits 0, and leaves no tick running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-hang-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ strategies: [{ name: 'crowd' }, { path: join(ROOT, 'test/fixtures/strategies/hangs.mjs'), timeoutMs: 120_000 }] }));
    const child = startCli(['run', '--sim', '--dry-run', '--data-dir', dir, '--config', config, '--log-format', 'json']);
    await waitForOutput(child, /"message":"agent.started"/);
    await new Promise((r) => setTimeout(r, 300)); // inside the first tick, waiting on the hung strategy
    const sent = Date.now();
    child.kill('SIGTERM');
    const result = await child.done;
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"message":"agent.stopped"');
    const db = new Database(join(dir, 'magma-dry-run.db'), { readonly: true });
    expect(db.prepare(`SELECT status FROM ticks`).pluck().all()).toEqual(['aborted']);
    db.close();
  });
});
