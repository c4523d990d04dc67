// systemd's notify protocol (sd_notify(3)): READY=1, WATCHDOG=1, STATUS=…, STOPPING=1 as datagrams on the AF_UNIX
// socket named by NOTIFY_SOCKET. Node has no AF_UNIX datagram sockets, so the optional native `unix-dgram` sends
// them; without it (or for an abstract "@…" socket it cannot address) the `systemd-notify` CLI does, which needs
// `NotifyAccess=all` in the unit. With NOTIFY_SOCKET unset every call is a no-op. Sending never throws: a lost
// notification must not stop the agent (systemd's own timeouts then say what went wrong).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { MAX_TIMER_MS } from '../clock/real-sleep.js';

export interface Notifier {
  /** False when NOTIFY_SOCKET is unset: nothing is ever sent. */
  readonly enabled: boolean;
  /** Half of WATCHDOG_USEC (the interval systemd recommends), or null when no watchdog is asked for. */
  readonly watchdogIntervalMs: number | null;
  /** Sends `KEY=value` lines in one datagram; resolves once handed over (or dropped, with onError told). */
  notify(fields: Record<string, string>): Promise<void>;
}

export interface NotifierOptions {
  env?: NodeJS.ProcessEnv;
  pid?: number;
  onError?: (err: Error) => void;
  /** Forces one transport (tests); default: unix-dgram when it loads, else the systemd-notify CLI. */
  transport?: 'native' | 'cli';
}

interface UnixDgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, cb: (err?: Error) => void): void;
  close(): void;
  on(event: 'error', cb: (err: Error) => void): void;
}
type UnixDgram = { createSocket(type: 'unix_dgram'): UnixDgramSocket };

let native: UnixDgram | null | undefined;
function loadNative(): UnixDgram | null {
  if (native === undefined) {
    try {
      native = createRequire(import.meta.url)('unix-dgram') as UnixDgram;
    } catch {
      native = null; // optional dependency not built here: the CLI fallback serves
    }
  }
  return native;
}

/** One state line for STATUS= (no newlines: each line of a datagram is a separate assignment). */
export function statusLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').slice(0, 200);
}

function sendNative(lib: UnixDgram, path: string, payload: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = lib.createSocket('unix_dgram');
    socket.on('error', reject);
    const buf = Buffer.from(payload);
    socket.send(buf, 0, buf.length, path, (err) => {
      socket.close();
      if (err) reject(err);
      else resolve();
    });
  });
}

function sendCli(env: NodeJS.ProcessEnv, pid: number, fields: Record<string, string>): Promise<void> {
  const args = [`--pid=${pid}`];
  if (fields.READY === '1') args.push('--ready');
  for (const [k, v] of Object.entries(fields)) if (k !== 'READY') args.push(`${k}=${v}`);
  return new Promise((resolve, reject) => {
    const child = spawn('systemd-notify', args, { env, stdio: 'ignore' });
    child.once('error', (err) => reject(new Error(`systemd-notify could not run (${err.message}): install systemd, or the optional unix-dgram package`)));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`systemd-notify exited ${code}`))));
  });
}

export function createNotifier(o: NotifierOptions = {}): Notifier {
  const env = o.env ?? process.env;
  const pid = o.pid ?? process.pid;
  const socket = env.NOTIFY_SOCKET;
  const usec = Number(env.WATCHDOG_USEC);
  // WATCHDOG_PID names the process systemd expects pings from; another pid means the variable was inherited.
  const watchdogForUs = Number.isFinite(usec) && usec > 0 && (!env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === pid);
  // at most what a timer holds: a longer one (WatchdogSec=50d) fires every millisecond instead
  const watchdogIntervalMs = socket && watchdogForUs ? Math.min(MAX_TIMER_MS, Math.max(1, Math.floor(usec / 2000))) : null;
  if (!socket) return { enabled: false, watchdogIntervalMs: null, notify: async () => {} };
  const lib = o.transport === 'cli' ? null : loadNative();
  const useNative = lib !== null && !socket.startsWith('@') && o.transport !== 'cli';
  return {
    enabled: true,
    watchdogIntervalMs,
    async notify(fields) {
      const payload = Object.entries(fields).map(([k, v]) => `${k}=${v.replace(/\n/g, ' ')}`).join('\n');
      try {
        if (useNative) await sendNative(lib, socket, payload);
        else await sendCli(env, pid, fields);
      } catch (err) {
        o.onError?.(err instanceof Error ? err : new Error(String(err)));
      }
    },
  };
}
