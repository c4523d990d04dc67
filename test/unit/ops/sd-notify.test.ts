import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createNotifier, statusLine } from '../../../src/systemd/sd-notify.js';
import { Health } from '../../../src/ops/health.js';
import { ServiceNotifier } from '../../../src/systemd/service-notifier.js';
import { notifySocket } from '../../helpers/notify-socket.js';

function hasSystemdNotify(): boolean {
  try {
    execFileSync('systemd-notify', ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('createNotifier', () => {
  it('is a no-op without NOTIFY_SOCKET', async () => {
    const n = createNotifier({ env: { WATCHDOG_USEC: '1000000' } });
    expect(n.enabled).toBe(false);
    expect(n.watchdogIntervalMs).toBeNull();
    await n.notify({ READY: '1' });
  });

  it('pings at half of WATCHDOG_USEC, and not for another process (WATCHDOG_PID)', () => {
    expect(createNotifier({ env: { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '30000000' } }).watchdogIntervalMs).toBe(15_000);
    expect(createNotifier({ env: { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '30000000', WATCHDOG_PID: '1' }, pid: 4242 }).watchdogIntervalMs).toBeNull();
    expect(createNotifier({ env: { NOTIFY_SOCKET: '/x' } }).watchdogIntervalMs).toBeNull();
    // WatchdogSec=50d: half of it is past what a timer holds (Node would fire it every millisecond)
    expect(createNotifier({ env: { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: String(50 * 86_400 * 1e6) } }).watchdogIntervalMs).toBe(2_147_483_647);
  });

  it('sends one datagram per call over the native transport', async () => {
    const sock = notifySocket();
    try {
      const n = createNotifier({ env: { NOTIFY_SOCKET: sock.path } });
      await n.notify({ READY: '1', STATUS: 'two\nlines' });
      expect(await sock.waitFor(/READY=1/)).toBe('READY=1\nSTATUS=two lines');
    } finally {
      sock.close();
    }
  });

  it.skipIf(!hasSystemdNotify())('falls back to the systemd-notify CLI', async () => {
    const sock = notifySocket();
    try {
      const n = createNotifier({ env: { ...process.env, NOTIFY_SOCKET: sock.path }, transport: 'cli' });
      await n.notify({ STATUS: 'via the CLI' });
      expect(await sock.waitFor(/STATUS=via the CLI/)).toMatch(/STATUS=via the CLI/);
    } finally {
      sock.close();
    }
  });

  it('reports a socket nobody listens on to onError, never throws', async () => {
    const errors: Error[] = [];
    const n = createNotifier({ env: { NOTIFY_SOCKET: '/nonexistent/notify.sock' }, onError: (e) => errors.push(e) });
    await n.notify({ READY: '1' });
    expect(errors).toHaveLength(1);
  });

  it('keeps STATUS to one line', () => {
    expect(statusLine('a\nb\r\nc')).toBe('a b c');
  });
});

describe('ServiceNotifier', () => {
  it('sends READY once, with the first healthy tick only, and STOPPING at the end', async () => {
    const sock = notifySocket();
    try {
      let now = 0;
      const health = new Health({ graceMs: 1000, now: () => now });
      const s = new ServiceNotifier(createNotifier({ env: { NOTIFY_SOCKET: sock.path } }), health);
      s.tickFailed('tick failed (API_UNAVAILABLE)');
      health.tickOk();
      s.tickOk('tick 2 ok');
      s.tickOk('tick 3 ok');
      now += 10;
      await s.stopping('received SIGTERM');
      await sock.waitFor(/STOPPING=1/);
      expect(sock.messages).toEqual([
        'STATUS=tick failed (API_UNAVAILABLE)',
        'READY=1\nWATCHDOG=1\nSTATUS=tick 2 ok',
        'WATCHDOG=1\nSTATUS=tick 3 ok',
        'STOPPING=1\nSTATUS=stopping: received SIGTERM',
      ]);
    } finally {
      sock.close();
    }
  });
});
