// Under systemd (Type=notify): READY=1 after the first healthy tick, WATCHDOG=1 while ticks are healthy, STATUS= with
// the state, STOPPING=1 on SIGTERM, all as datagrams on the real AF_UNIX socket named by NOTIFY_SOCKET.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 120_000 }); // CLI processes on a busy machine
import { startCli, waitForOutput } from '../../helpers/cli.js';
import { notifySocket } from '../../helpers/notify-socket.js';

describe('sd_notify', () => {
  it('sends READY, WATCHDOG and STATUS while ticking and STOPPING on SIGTERM', async () => {
    const sock = notifySocket();
    const dir = mkdtempSync(join(tmpdir(), 'magma-notify-run-'));
    // WATCHDOG_USEC 0.4 s: the timer pings every 0.2 s between ticks
    const child = startCli(['run', '--sim', '--dry-run', '--data-dir', dir, '--log-format', 'json'], { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '400000' });
    try {
      const ready = await sock.waitFor(/^READY=1$/m);
      expect(ready).toMatch(/^STATUS=tick 1 ok: \d+ narratives/m);
      // before the first tick: state lines only, no watchdog ping
      const before = sock.messages.slice(0, sock.messages.findIndex((m) => /^READY=1$/m.test(m)));
      expect(before.every((m) => /^STATUS=[^\n]*$/.test(m))).toBe(true);
      await waitForOutput(child, /"message":"tick.done"/);
      // a watchdog ping from the timer, after the one sent with READY
      await sock.waitFor(/^WATCHDOG=1$/);
      expect(sock.messages.some((m) => /^STATUS=first tick running$/.test(m))).toBe(true);
      child.kill('SIGTERM');
      const result = await child.done;
      expect(result.code).toBe(0);
      const stopping = sock.messages.find((m) => /^STOPPING=1$/m.test(m));
      expect(stopping).toBeDefined();
      expect(stopping).toMatch(/^STATUS=stopping: /m);
      expect(sock.messages.filter((m) => /^READY=1$/m.test(m))).toHaveLength(1);
      expect(sock.messages.filter((m) => /^STOPPING=1$/m.test(m))).toHaveLength(1);
      expect(sock.messages.at(-1)).toMatch(/^STOPPING=1$/m); // nothing after it
    } finally {
      child.kill('SIGKILL');
      sock.close();
    }
  });

  it('sends nothing and needs nothing when NOTIFY_SOCKET is unset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-notify-none-'));
    const child = startCli(['run', '--once', '--sim', '--dry-run', '--data-dir', dir, '--log-format', 'json'], { WATCHDOG_USEC: '400000' });
    const result = await child.done;
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('sd_notify.failed');
  });
});
