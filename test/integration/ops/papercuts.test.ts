// The operator's papercuts (issue 14), each against the real CLI and the bundled simulator: EPIPE, SIGHUP, a port
// in use, --sim's own database, a bogus key and an underfunded wallet in doctor/status, an unreadable key file,
// export's overwrite, Ctrl-C in a backtest, a stale lock from pid reuse, journald priorities, pause/resume.
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, fstatSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Simulator } from '../../../src/sim/simulator.js';
import { CLI, cleanEnv, ROOT, runCli, startCli, waitForOutput } from '../../helpers/cli.js';

// Each test spawns several CLI processes: on a busy machine they need more than vitest's default 30 s.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `magma-${name}-`));

describe('the daemon as a process', () => {
  it('ends quietly when its stdout reader goes away (`run | grep -m1 …`), releasing the lock', async () => {
    const dir = tmp('epipe');
    const child = spawn(process.execPath, [CLI, 'run', '--sim', '--dry-run', '--data-dir', dir, '--log-format', 'json'], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // `run | grep -m1 tick.done`: the reader leaves once it has its line
    await new Promise<void>((resolve) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('"message":"tick.done"')) resolve();
      });
    });
    child.stdout.destroy();
    child.kill('SIGHUP'); // its next line (sighup.ignored) meets the closed pipe: EPIPE
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|Error/);
    expect(code).toBe(0);
    expect(existsSync(join(dir, 'magma-agent.lock'))).toBe(false);
  });

  it('`run --sim --dry-run | head -1` on a new data directory stops cleanly while registering: exit 0, the key kept, no registration left in doubt', () => {
    const dir = tmp('head1');
    // head leaves after the first line (sim.started): the EPIPE arrives while the agent registers and reads its balance
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" run --sim --dry-run --data-dir "${dir}" --log-format json 2>"${dir}/err" | head -1 >/dev/null; exit \${PIPESTATUS[0]}`], { cwd: ROOT, env: cleanEnv(), timeout: 60_000 });
    expect(readFileSync(join(dir, 'err'), 'utf8')).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, 'register-attempt.json'))).toBe(false);
    expect(existsSync(join(dir, 'magma-agent.lock'))).toBe(false);
    // the next run is not refused as a registration that may have created an agent
    const again = spawnSync(process.execPath, [CLI, 'run', '--sim', '--once', '--dry-run', '--data-dir', dir], { cwd: ROOT, env: cleanEnv(), timeout: 60_000, encoding: 'utf8' });
    expect(again.stderr).not.toMatch(/registration/);
    expect(again.status).toBe(0);
  });

  it.skipIf(spawnSync('script', ['--version']).status !== 0)('NO_COLOR keeps its lines on a real terminal free of colour codes (a pty from util-linux script)', async () => {
    const onTerminal = async (env: Record<string, string>) => {
      const dir = tmp('tty');
      const child = spawn('script', ['-qec', `${process.execPath} ${CLI} run --once --sim --dry-run --data-dir ${dir}`, '/dev/null'], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(code).toBe(0);
      return out;
    };
    const coloured = await onTerminal({});
    expect(coloured).toMatch(/\x1b\[36minfo /); // pretty lines on a terminal, in colour
    const plain = await onTerminal({ NO_COLOR: '1' });
    expect(plain).toMatch(/^\d\d:\d\d:\d\d info  tick\.done/m);
    expect(plain).not.toContain('\x1b[');
  });

  it('logs gate.closed once while a halt lasts, gate.open when it ends, and a halt that returns at once', async () => {
    const dir = tmp('halt');
    const config = join(dir, 'config.json');
    // 0.2 s ticks at 600× simulated time
    writeFileSync(config, JSON.stringify({ poll: { intervalSeconds: 120, jitterSeconds: 0 }, sim: { speed: 600 } }));
    const child = startCli(['run', '--sim', '--dry-run', '--data-dir', dir, '--config', config, '--log-format', 'json']);
    const lines = () => child.output().stdout.split('\n').filter(Boolean);
    const count = (event: string) => lines().filter((l) => l.includes(`"message":"${event}"`)).length;
    const ticksAfter = async (n: number) => {
      const target = count('tick.done') + n;
      for (let i = 0; i < 2_000 && count('tick.done') < target; i++) await new Promise((r) => setTimeout(r, 25));
      expect(count('tick.done')).toBeGreaterThanOrEqual(target);
    };
    try {
      await waitForOutput(child, /"message":"sim.started"/);
      const api = /"api":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(lines().find((l) => l.includes('"sim.started"'))!)![1]!;
      const halt = async (components: string[]) => {
        const res = await request(`${api}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ halted: components }) });
        await res.body.dump();
      };
      await waitForOutput(child, /"message":"tick.done"/);
      await halt(['backing']);
      await ticksAfter(10);
      expect(count('gate.closed')).toBe(1); // ten ticks of a halt: one line (the next only after 15 minutes, with a count)
      expect(lines().find((l) => l.includes('"message":"gate.closed"'))).toMatch(/"level":"warn".*"reason":"protocol halted: backing/);
      await halt([]);
      await waitForOutput(child, /"message":"gate.open"/);
      await halt(['backing']);
      await ticksAfter(3);
      expect(count('gate.closed')).toBe(2); // the halt again: a change, written at once
    } finally {
      child.kill('SIGTERM');
      expect((await child.done).code).toBe(0);
    }
  });

  it('logs and ignores SIGHUP, then still stops cleanly on SIGTERM', async () => {
    const dir = tmp('hup');
    const child = startCli(['run', '--sim', '--dry-run', '--data-dir', dir, '--log-format', 'json']);
    await waitForOutput(child, /"message":"tick.done"/);
    child.kill('SIGHUP');
    await waitForOutput(child, /"message":"sighup.ignored"/);
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
    const r = await child.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"message":"agent.stopped"');
  });

  it('exits 78 on a metrics port in use, before registering or opening anything', async () => {
    const dir = tmp('port');
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    try {
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ metrics: { enabled: true, bind: '127.0.0.1', port } }));
      const r = await runCli(['run', '--sim', '--dry-run', '--data-dir', dir, '--config', join(dir, 'config.json')]);
      expect(r.code).toBe(78);
      expect(r.stderr).toMatch(/cannot listen for metrics scrapes on 127\.0\.0\.1:\d+ \((EADDRINUSE|metrics\.port \d+ is already in use)\)\. Choose a free metrics\.port/);
      expect(existsSync(join(dir, 'agent-key.sim.json'))).toBe(false);
      expect(existsSync(join(dir, 'magma-dry-run.db'))).toBe(false);
    } finally {
      busy.close();
    }
  });

  it('takes over a lock whose pid now belongs to another process (`echo 1 > magma-agent.lock`)', async () => {
    const dir = tmp('pid1');
    writeFileSync(join(dir, 'magma-agent.lock'), '1\n');
    expect((await runCli(['run', '--once', '--sim', '--dry-run', '--data-dir', dir])).code).toBe(0);
  });

  it('keeps --sim out of the live database: magma-sim.db, never magma.db', async () => {
    const dir = tmp('simdb');
    const r = await runCli(['run', '--once', '--sim', '--data-dir', dir, '--log-format', 'json']);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'magma-sim.db'))).toBe(true);
    expect(existsSync(join(dir, 'magma.db'))).toBe(false);
  });

  it('keeps the simulator\'s agent key out of the live one: `register` afterwards still registers with MAGMA', async () => {
    const dir = tmp('simkey');
    expect((await runCli(['run', '--once', '--sim', '--data-dir', dir])).code).toBe(0);
    expect(existsSync(join(dir, 'agent-key.sim.json'))).toBe(true);
    expect(existsSync(join(dir, 'agent-key.json'))).toBe(false);
    // the real API (another simulator standing in for MAGMA): not "already registered" with the rehearsal's key
    const magma = new Simulator({ seed: 3 });
    const urls = await magma.start();
    try {
      const r = await runCli(['register', '--data-dir', dir], { MAGMA_API_URL: urls.api, MAGMA_RPC_URL: urls.rpc });
      expect(r.stdout).not.toContain('already registered');
      expect(r.stdout).toMatch(/^registered agent ag_\w+ for wallet /m);
      expect(r.code).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, 'agent-key.json'), 'utf8')).apiUrl).toBe(urls.api);
      // and a rehearsal after it keeps using the simulator's own key
      const again = await runCli(['run', '--once', '--sim', '--data-dir', dir, '--log-format', 'json']);
      expect(again.code).toBe(0);
      expect(again.stdout).not.toContain('agent.registered');
    } finally {
      await magma.stop();
    }
  });

  it('prefixes lines with journald priorities when JOURNAL_STREAM names its stdout', async () => {
    const dir = tmp('journal');
    const out = join(dir, 'stdout.log');
    const fd = openSync(out, 'w');
    const st = fstatSync(fd);
    const child = spawn(process.execPath, [CLI, 'run', '--once', '--sim', '--dry-run', '--data-dir', dir, '--log-format', 'json'], {
      cwd: ROOT, env: cleanEnv({ JOURNAL_STREAM: `${st.dev}:${st.ino}` }), stdio: ['ignore', fd, 'pipe'],
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    closeSync(fd);
    expect(code).toBe(0);
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((l) => /^<[3-7]>\{/.test(l))).toBe(true);
    expect(lines.find((l) => l.includes('"message":"tick.done"'))).toMatch(/^<6>/);
    expect(lines.find((l) => l.includes('"message":"wallet.created"'))).toMatch(/^<4>/);

    // the same run without JOURNAL_STREAM (a file, a pipe, a terminal): plain JSON lines, no prefixes
    const plainOut = join(dir, 'plain.log');
    const fd2 = openSync(plainOut, 'w');
    const again = spawn(process.execPath, [CLI, 'run', '--once', '--sim', '--dry-run', '--data-dir', dir, '--log-format', 'json'], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', fd2, 'pipe'] });
    expect(await new Promise<number | null>((resolve) => again.on('close', (c) => resolve(c)))).toBe(0);
    closeSync(fd2);
    const plain = readFileSync(plainOut, 'utf8').split('\n').filter(Boolean);
    expect(plain.some((l) => l.includes(`"message":"tick.done"`))).toBe(true);
    expect(plain.every((l) => l.startsWith('{'))).toBe(true);
  });

  it('under journald the message a command ends with is an error too, every line of it (`journalctl -p err` shows why it exited 78)', async () => {
    const dir = tmp('journal-err');
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ risk: { maxDailySol: 1e300 }, metrics: { bind: 'nowhere' } }));
    const out = join(dir, 'journal.log');
    const fd = openSync(out, 'w');
    const st = fstatSync(fd);
    // stdout and stderr on the one journal stream, as systemd connects them
    const child = spawn(process.execPath, [CLI, 'run', '--sim', '--dry-run', '--data-dir', dir, '--config', config], {
      cwd: ROOT, env: cleanEnv({ JOURNAL_STREAM: `${st.dev}:${st.ino}` }), stdio: ['ignore', fd, fd],
    });
    expect(await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))).toBe(78);
    closeSync(fd);
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    expect(lines[0]).toMatch(/^<3>magma-agent: configuration error: invalid configuration:$/);
    expect(lines.filter((l) => l.includes('risk.maxDailySol') || l.includes('metrics.bind'))).toHaveLength(2);
    expect(lines.every((l) => l.startsWith('<3>'))).toBe(true);
    // without journald, the same text as ever
    const plain = await runCli(['run', '--sim', '--dry-run', '--data-dir', dir, '--config', config]);
    expect(plain.stderr).toMatch(/^magma-agent: configuration error: invalid configuration:\n {2}- /);
    expect(plain.stderr).not.toContain('<3>');
  });
});

describe('pause and resume', () => {
  it('a paused agent backs nothing and records why; monitoring goes on; resume lifts it', async () => {
    const dir = tmp('pause');
    const p = await runCli(['pause', '--reason', 'rebalancing', '--data-dir', dir]);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain('paused: rebalancing');
    const r = await runCli(['run', '--once', '--sim', '--dry-run', '--data-dir', dir, '--log-format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/"message":"agent.paused".*rebalancing/);
    let db = new Database(join(dir, 'magma-dry-run.db'), { readonly: true });
    expect(db.prepare(`SELECT status FROM ticks`).pluck().all()).toEqual(['ok']);
    expect(db.prepare(`SELECT COUNT(*) FROM narrative_snapshots`).pluck().get()).toBeGreaterThan(0); // the feed was still read and recorded
    expect(db.prepare(`SELECT COUNT(*) FROM decisions WHERE action = 'back'`).pluck().get()).toBe(0);
    expect(db.prepare(`SELECT COUNT(*) FROM decisions WHERE reasons_json LIKE '%paused by the operator%rebalancing%'`).pluck().get()).toBeGreaterThan(0);
    db.close();

    expect((await runCli(['resume', '--data-dir', dir])).stdout).toContain('resumed');
    expect((await runCli(['run', '--once', '--sim', '--dry-run', '--data-dir', dir])).code).toBe(0);
    db = new Database(join(dir, 'magma-dry-run.db'), { readonly: true });
    expect(db.prepare(`SELECT COUNT(*) FROM decisions WHERE action = 'back'`).pluck().get()).toBeGreaterThan(0);
    db.close();
  });
});

describe('doctor and status tell the truth', () => {
  let sim: Simulator;
  let env: Record<string, string>;
  let dir: string;
  beforeAll(async () => {
    sim = new Simulator({ seed: 9, speed: 60 });
    const urls = await sim.start();
    dir = tmp('truth');
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ prices: { source: 'sim', url: urls.api } }));
    env = { MAGMA_API_URL: urls.api, MAGMA_RPC_URL: urls.rpc, MAGMA_DATA_DIR: dir, MAGMA_CONFIG: join(dir, 'config.json') };
    expect((await runCli(['keygen', '--out', join(dir, 'wallet.json')])).code).toBe(0);
    expect((await runCli(['register', '--name', 'truth-test'], env)).code).toBe(0);
  });
  afterAll(() => sim.stop());

  it('a key MAGMA refuses fails doctor and blocks writes in status', async () => {
    const d = await runCli(['doctor', '--json'], { ...env, MAGMA_API_KEY: 'bogus-key-123' });
    expect(d.code).toBe(1);
    const checks = (JSON.parse(d.stdout) as { checks: Array<{ name: string; ok: boolean; detail: string }> }).checks;
    expect(checks.find((c) => c.name === 'key accepted')).toMatchObject({ ok: false, detail: expect.stringMatching(/rejected the API key.*401.*MAGMA_API_KEY/) });
    expect(d.stdout).not.toContain('bogus-key-123');
    const s = await runCli(['status'], { ...env, MAGMA_API_KEY: 'bogus-key-123' });
    expect(s.stdout).toMatch(/writes blocked: .*MAGMA refuses the agent key/);
    expect(s.stdout).not.toContain('writes allowed');
    const ok = await runCli(['doctor'], env);
    expect(ok.stdout).toMatch(/✔ key accepted/);
  });

  it('an underfunded wallet blocks writes in status and fails doctor', async () => {
    const config = join(dir, 'rich.json');
    writeFileSync(config, JSON.stringify({ prices: { source: 'sim', url: sim.urls.api }, risk: { minBalanceSol: 1000 } }));
    const s = await runCli(['status', '--json'], { ...env, MAGMA_CONFIG: config });
    const out = JSON.parse(s.stdout) as { writes_allowed: boolean; blockers: string[] };
    expect(out.writes_allowed).toBe(false);
    expect(out.blockers.join(';')).toMatch(/at or below risk\.minBalanceSol .*: fund /);
    const d = await runCli(['doctor'], { ...env, MAGMA_CONFIG: config });
    expect(d.stdout).toMatch(/✘ Solana RPC .*not above risk\.minBalanceSol: fund/);
  });

  it.skipIf(process.getuid?.() !== 0)('an unreadable key or wallet file says permission denied with owner and mode, not "not valid JSON"', async () => {
    // as root: the files stay root's, the command runs as nobody (65534)
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'agent-key.json'), 0o600);
    const child = spawn(process.execPath, [CLI, 'status'], { cwd: ROOT, env: cleanEnv(env), uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toMatch(/the stored agent key .*agent-key\.json cannot be read: permission denied \(owner root, mode 0600; the agent runs as [^)]+\)\. Run the agent as the user that owns it/);
    expect(stderr).not.toContain('not valid JSON');
    expect(code).toBe(78);

    // the key readable now; the wallet still root's own
    chmodSync(join(dir, 'agent-key.json'), 0o644);
    try {
      const again = spawn(process.execPath, [CLI, 'status'], { cwd: ROOT, env: cleanEnv(env), uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'pipe'] });
      let err2 = '';
      again.stderr.on('data', (c: Buffer) => (err2 += c.toString()));
      await new Promise((resolve) => again.on('close', resolve));
      expect(err2).toMatch(/the wallet keypair .*wallet\.json cannot be read: permission denied \(owner root, mode 0600; /);
      expect(err2).not.toMatch(/not JSON/);
    } finally {
      chmodSync(join(dir, 'agent-key.json'), 0o600);
    }
  });
});

/** Runs the CLI as nobody (65534), the way `sudo -u magma …` runs it as the service user. */
async function runAsNobody(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cleanEnv(env), uid: 65534, gid: 65534, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { code, stderr };
}

describe.skipIf(process.getuid?.() !== 0)('files the service user cannot read or write (as root: the command runs as nobody)', () => {
  it('a config file says permission denied with owner and mode, and how to share it with the service user', async () => {
    const dir = tmp('conf-perm');
    chmodSync(dir, 0o755);
    const config = join(dir, 'config.json');
    writeFileSync(config, '{}', { mode: 0o600 }); // root's own, as `sudo tee /etc/magma-agent/config.json` leaves it
    const r = await runAsNobody(['doctor'], { MAGMA_CONFIG: config, MAGMA_DATA_DIR: join(dir, 'data') });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/config file .*config\.json cannot be read: permission denied \(owner root, mode 0600; the agent runs as [^)]+\)\. Give the agent's user read access, e\.g\. `chown root:magma .*config\.json && chmod 0640 /);
  });

  it('keygen into a folder the service user cannot enter says whose it is, not a bare EACCES', async () => {
    const dir = tmp('keygen-perm'); // root's, 0700
    const r = await runAsNobody(['keygen', '--out', join(dir, 'data', 'wallet.json')]);
    expect(r.stderr).toContain(`cannot write the keypair ${join(dir, 'data', 'wallet.json')}: ${dir}: permission denied (owner root, mode 0700; the agent runs as`);
    expect(r.stderr).toMatch(/Create the folder for the user that runs the agent first/);
    expect(r.code).toBe(78);
  });

  it('a database left to root (a command once run without sudo -u) says whose it is, not "unable to open"', async () => {
    const dir = tmp('db-perm');
    expect((await runCli(['run', '--once', '--sim', '--dry-run', '--data-dir', dir])).code).toBe(0); // as root
    const db = readdirSync(dir).find((f) => /^magma.*\.db$/.test(f))!;
    for (const f of readdirSync(dir)) if (f !== db) chownSync(join(dir, f), 65534, 65534);
    chownSync(dir, 65534, 65534);
    const r = await runAsNobody(['run', '--once', '--sim', '--dry-run', '--data-dir', dir]);
    expect(r.stderr).toContain(`cannot open the database: ${join(dir, db)}: permission denied (owner root, mode 0600; the agent runs as`);
    expect(r.stderr).toMatch(/chown -R magma:magma .*the database itself is fine, do not delete it/);
    expect(r.code).toBe(78);
  });
});

describe('one-shot commands', () => {
  it('export refuses to overwrite without --force', async () => {
    const dir = tmp('export');
    expect((await runCli(['run', '--once', '--sim', '--dry-run', '--data-dir', dir])).code).toBe(0);
    const out = join(dir, 'rec.jsonl');
    writeFileSync(out, 'keep me\n');
    const r = await runCli(['export', '--dry-run', '--data-dir', dir, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rec\.jsonl already exists; refusing to overwrite it\. Choose another file, or add --force/);
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
    expect((await runCli(['export', '--dry-run', '--data-dir', dir, '--out', out, '--force'])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^\{"t":/);
  });

  it('Ctrl-C in a backtest prints what it has and exits 130', async () => {
    const dir = tmp('bt-int');
    const rec = join(dir, 'r.jsonl');
    // A busy feed (ten times the narratives) over ten days, so the replay is still going when Ctrl-C arrives (two days
    // were replayed whole before the signal once the backtest got faster).
    expect((await runCli(['sim', '--seed', '3', '--record', rec, '--duration', '10d', '--record-interval', '5m', '--narratives-per-hour', '20'])).code).toBe(0);
    const child = startCli(['backtest', '--recording', rec, '--progress-interval', '0.5']);
    await waitForOutput(child, /"event":"backtest.progress","percent":[1-9]/);
    child.kill('SIGINT');
    const r = await child.done;
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/decisions: +\d+ backings/);
    expect(r.stdout).toMatch(/warning: stopped early \(Ctrl-C\) after \d+ polls/);
  });
});
