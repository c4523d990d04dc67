// The README's "Run under systemd" section, followed as written (as root: the service user is nobody, the paths live
// under a temporary root, MAGMA is the simulator): the config file from step 2 with its owner and mode, keygen,
// register and doctor from step 3 as the service user, then the unit's own ExecStart and Environment= lines as that
// user with systemd's NOTIFY_SOCKET and JOURNAL_STREAM, /healthz from step 4, and `journalctl -p warning`'s view.
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, closeSync, fstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Simulator } from '../../../src/sim/simulator.js';
import { CLI, cleanEnv, freePort, ROOT } from '../../helpers/cli.js';
import { notifySocket } from '../../helpers/notify-socket.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const NOBODY = 65534;
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Run under systemd'), readme.indexOf('\n## ', readme.indexOf('## Run under systemd') + 5));
const unit = readFileSync(join(ROOT, 'docs', 'magma-agent.service'), 'utf8');

describe.skipIf(process.getuid?.() !== 0)('the README\'s systemd steps, as the service user', () => {
  let sim: Simulator;
  let root: string;
  beforeAll(async () => {
    sim = new Simulator({ seed: 5, speed: 60 });
    await sim.start();
    root = mkdtempSync(join(tmpdir(), 'magma-readme-'));
    chmodSync(root, 0o755);
  });
  afterAll(() => sim.stop());

  /** A path of the README under the temporary root. */
  const at = (p: string) => join(root, p);
  /** What the operator's shell would pass, minus MAGMA itself (the simulator stands in for it; prices too). */
  const magmaEnv = () => ({ MAGMA_API_URL: sim.urls.api, MAGMA_RPC_URL: sim.urls.rpc, MAGMA_PRICES_SOURCE: 'sim', MAGMA_PRICES_URL: sim.urls.api });

  function asServiceUser(cmd: string, args: string[], env: Record<string, string>, stdout: 'pipe' | number = 'pipe') {
    const child = spawn(cmd, args, { cwd: ROOT, env: cleanEnv(env), uid: NOBODY, gid: NOBODY, stdio: ['ignore', stdout, 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout: out, stderr: err })));
    return { child, done };
  }

  it('steps 1–4: config, keygen, register and doctor as the service user, then the unit\'s command ticks, answers /healthz and logs for journald', async () => {
    // 1. the data directory (the service user's, 0700) and the config directory (root's, 0755)
    expect(section).toContain('sudo install -d -o magma -g magma -m 0700 /var/lib/magma-agent');
    expect(section).toContain('sudo install -d -o root -g root -m 0755 /etc/magma-agent');
    mkdirSync(at('var/lib'), { recursive: true, mode: 0o755 });
    mkdirSync(at('var/lib/magma-agent'), { mode: 0o700 });
    chownSync(at('var/lib/magma-agent'), NOBODY, NOBODY);
    mkdirSync(at('etc/magma-agent'), { recursive: true, mode: 0o755 });

    // 2. the config file as the README writes it, owned and moded as it says (a free port for this machine)
    const json = /sudo tee \/etc\/magma-agent\/config\.json >\/dev\/null <<'JSON'\n([\s\S]*?)\n\s*JSON\n/.exec(section)![1]!;
    const config = JSON.parse(json) as { metrics: { port: number } };
    expect(config.metrics).toMatchObject({ enabled: true, bind: '127.0.0.1' });
    const port = await freePort();
    config.metrics.port = port;
    const conf = at('etc/magma-agent/config.json');
    writeFileSync(conf, JSON.stringify(config));
    const [, owner, group, mode] = /sudo chown (\w+):(\w+) \/etc\/magma-agent\/config\.json && sudo chmod (\d+) \/etc\/magma-agent\/config\.json/.exec(section)!;
    expect([owner, group]).toEqual(['root', 'magma']);
    chownSync(conf, 0, NOBODY); // root:<the service user's group>
    chmodSync(conf, Number.parseInt(mode!, 8));

    // 3. keygen, register, doctor: each command of the README, as the service user
    const steps = [...section.matchAll(/sudo -u magma env MAGMA_CONFIG=(\S+) MAGMA_DATA_DIR=(\S+) \\\n\s+node dist\/cli\.js ([^\n]+)/g)];
    expect(steps.map((m) => m[3]!.split(' ')[0])).toEqual(['keygen', 'register', 'doctor']);
    for (const [, confPath, dataDir, command] of steps) {
      expect([confPath, dataDir]).toEqual(['/etc/magma-agent/config.json', '/var/lib/magma-agent']);
      const args = command!.trim().split(/\s+/).map((a) => a.replace('/var/lib/magma-agent', at('var/lib/magma-agent')));
      const r = await asServiceUser(process.execPath, [CLI, ...args], { MAGMA_CONFIG: conf, MAGMA_DATA_DIR: at('var/lib/magma-agent'), ...magmaEnv() }).done;
      expect(r.stderr, `${command}: ${r.stdout}`).toBe('');
      expect(r.code, command).toBe(0);
      if (args[0] === 'doctor') expect(r.stdout).toMatch(/✔ key accepted[\s\S]*all checks passed/);
    }

    // 4. the unit: its ExecStart and Environment= as the service user, with what systemd gives a Type=notify service
    const exec = /^ExecStart=(\S+) (.*) (\S+) (run .*)$/m.exec(unit)!;
    expect(exec[1]).toBe('/usr/bin/node');
    expect(exec[3]).toBe('/opt/magma-agent/dist/cli.js');
    const env: Record<string, string> = {};
    for (const m of unit.matchAll(/^Environment=(\w+)=(\S+)$/gm)) env[m[1]!] = m[2]!.replace('/var/lib/magma-agent', at('var/lib/magma-agent')).replace('/etc/magma-agent', at('etc/magma-agent'));
    expect(env).toEqual({ MAGMA_DATA_DIR: at('var/lib/magma-agent'), MAGMA_CONFIG: conf });
    const sock = notifySocket();
    chmodSync(join(sock.path, '..'), 0o755);
    chmodSync(sock.path, 0o777); // systemd's own socket accepts every service's datagrams
    const journal = at('journal.log');
    const fd = openSync(journal, 'w');
    const st = fstatSync(fd);
    const daemon = asServiceUser(process.execPath, [...exec[2]!.split(' '), CLI, ...exec[4]!.split(' ')], {
      ...env, ...magmaEnv(), NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: String(10 * 60 * 1_000_000), JOURNAL_STREAM: `${st.dev}:${st.ino}`,
    }, fd);
    try {
      // "active (running)" once the first tick is done
      await sock.waitFor(/^READY=1$/m, 60_000);
      expect(sock.messages.join('\n')).toMatch(/^STATUS=tick 1 ok: \d+ narratives, \d+ backed; backing open$/m);
      const healthz = await request(`http://127.0.0.1:${port}/healthz`);
      expect(healthz.statusCode).toBe(200);
      expect(await healthz.body.json()).toMatchObject({ ok: true, reason: 'ticking on schedule' });
      daemon.child.kill('SIGTERM');
      const r = await daemon.done;
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      await sock.waitFor(/^STOPPING=1$/m);
    } finally {
      daemon.child.kill('SIGKILL');
      closeSync(fd);
      sock.close();
    }
    // what journald was handed: every line with its priority; `-p warning` keeps <0>–<4>, the ones at warn or error
    const lines = readFileSync(journal, 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) {
      const m = /^<(\d)>(\{.*\})$/.exec(l);
      expect(m, l).not.toBeNull();
      const level = (JSON.parse(m![2]!) as { level: string }).level;
      expect({ error: 3, warn: 4, info: 6, debug: 7 }[level]).toBe(Number(m![1]));
    }
    expect(lines.some((l) => l.startsWith('<6>') && l.includes('"message":"agent.stopped"'))).toBe(true);
  });
});
