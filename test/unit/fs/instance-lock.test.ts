// The lock survives pid reuse: it records the owner's start time and the boot id, so a stale lock whose pid now
// belongs to another process (after a reboot) no longer blocks start-up for ever.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireInstanceLock, holdsLock, processStartTime, type LockProbes } from '../../../src/fs/instance-lock.js';

const onLinux = processStartTime(process.pid) !== null;
const dir = () => mkdtempSync(join(tmpdir(), 'magma-lock-'));
const other = spawn('sleep', ['60'], { stdio: 'ignore' });
afterAll(() => {
  other.kill('SIGKILL');
});

describe('instance lock', () => {
  it('records pid, start time and boot id, and removes itself on release', () => {
    const d = dir();
    const lock = acquireInstanceLock(d);
    const text = readFileSync(join(d, 'magma-agent.lock'), 'utf8');
    expect(text.split('\n')[0]).toBe(String(process.pid));
    if (onLinux) expect(text).toMatch(/^start=\d+$/m);
    lock.release();
    expect(() => readFileSync(join(d, 'magma-agent.lock'))).toThrow();
  });

  it('takes over `echo 1 > magma-agent.lock`: pid 1 is not an agent', () => {
    const d = dir();
    writeFileSync(join(d, 'magma-agent.lock'), '1\n');
    acquireInstanceLock(d).release();
  });

  it.skipIf(!onLinux)('refuses while the process that wrote the lock still runs, naming its pid', () => {
    const d = dir();
    writeFileSync(join(d, 'magma-agent.lock'), `${other.pid}\nstart=${processStartTime(other.pid!)}\n`);
    expect(() => acquireInstanceLock(d)).toThrow(expect.objectContaining({ code: 'INSTANCE_RUNNING', message: expect.stringContaining(`pid ${other.pid}`) }));
  });

  it.skipIf(!onLinux)('takes over when the pid now belongs to a process that started later (pid reuse)', () => {
    const d = dir();
    writeFileSync(join(d, 'magma-agent.lock'), `${other.pid}\nstart=1\n`);
    acquireInstanceLock(d).release();
  });

  it.skipIf(!onLinux)('takes over a lock written before a reboot (another boot id)', () => {
    const d = dir();
    writeFileSync(join(d, 'magma-agent.lock'), `${other.pid}\nstart=${processStartTime(other.pid!)}\nboot=00000000-0000-0000-0000-000000000000\n`);
    acquireInstanceLock(d).release();
  });

  describe('whose process is it (system answers stood in for)', () => {
    // the agent runs as uid 990; the lock file is its own
    const sys = (over: Partial<LockProbes>): LockProbes => ({
      probe: () => 'ours', bootId: () => 'boot-a', startTime: () => '500', commandLine: () => 'node /opt/magma-agent/dist/cli.js run',
      fileUid: () => 990, selfUid: () => 990, selfPid: 4242, ...over,
    });
    const owner = { pid: 812, start: '500', boot: 'boot-a' };

    it('holds while the same process (same start time, same boot) runs', () => {
      expect(holdsLock(owner, '/x/magma-agent.lock', sys({}))).toBe(true);
    });

    it('is stale when the pid now belongs to another user\'s process whose /proc is hidden (ProtectProc=invisible)', () => {
      expect(holdsLock(owner, '/x/magma-agent.lock', sys({ probe: () => 'other-user', startTime: () => null, commandLine: () => null }))).toBe(false);
    });

    it('still holds for another user\'s process when the lock is not ours (an agent run as root on this directory)', () => {
      expect(holdsLock(owner, '/x/magma-agent.lock', sys({ probe: () => 'other-user', fileUid: () => 0, startTime: () => null, commandLine: () => null }))).toBe(true);
    });

    it('is stale when the process is gone, started later, or ran before a reboot', () => {
      expect(holdsLock(owner, '/x/l', sys({ probe: () => 'gone' }))).toBe(false);
      expect(holdsLock(owner, '/x/l', sys({ startTime: () => '900' }))).toBe(false);
      expect(holdsLock(owner, '/x/l', sys({ bootId: () => 'boot-b' }))).toBe(false);
    });

    it('for a lock without identity, holds only for a process that looks like an agent', () => {
      const bare = { pid: 812, start: null, boot: null };
      expect(holdsLock(bare, '/x/l', sys({ commandLine: () => '/usr/sbin/sshd -D' }))).toBe(false);
      expect(holdsLock(bare, '/x/l', sys({}))).toBe(true);
    });
  });
});
