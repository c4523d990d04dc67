// A real AF_UNIX datagram socket standing in for systemd's NOTIFY_SOCKET: collects every datagram received.
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Sock {
  bind(path: string): void;
  close(): void;
  on(event: string, cb: (...a: unknown[]) => void): void;
}

export function notifySocket(): { path: string; messages: string[]; close(): void; waitFor(re: RegExp, timeoutMs?: number): Promise<string> } {
  const lib = createRequire(import.meta.url)('unix-dgram') as { createSocket(t: 'unix_dgram', cb: (buf: Buffer) => void): Sock };
  const path = join(mkdtempSync(join(tmpdir(), 'magma-notify-')), 'notify.sock');
  const messages: string[] = [];
  const sock = lib.createSocket('unix_dgram', (buf) => messages.push(buf.toString()));
  sock.bind(path);
  return {
    path,
    messages,
    close: () => sock.close(),
    waitFor(re, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const poll = setInterval(() => {
          const hit = messages.find((m) => re.test(m));
          if (hit !== undefined) {
            clearInterval(poll);
            resolve(hit);
          } else if (Date.now() - started > timeoutMs) {
            clearInterval(poll);
            reject(new Error(`no notification matching ${re}; got ${JSON.stringify(messages)}`));
          }
        }, 20);
      });
    },
  };
}
