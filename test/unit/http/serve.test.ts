// The agent's servers (webhook, metrics; both through listenOn) cap connections and enforce header, body and idle
// timeouts that fire when configured (issue 12: slow clients held sockets 40–90 s each, with no cap on how many).
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeServer, listenOn, SERVER_LIMITS, type ServerLimits } from '../../../src/http/serve.js';
import { createLogger } from '../../../src/log/logger.js';
import { WebhookReceiver } from '../../../src/webhook/receiver.js';

const servers: Server[] = [];
const sockets: Socket[] = [];
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => closeServer(s)));
  await Promise.all(stops.splice(0).map((f) => f()));
});

const WHAT = { code: 'METRICS_BIND_FAILED' as const, name: 'metrics scrapes', hint: 'Choose a free metrics.port.' };

async function server(limits: Partial<ServerLimits> = {}): Promise<number> {
  const s = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  servers.push(s);
  const url = await listenOn(s, '127.0.0.1', 0, WHAT, { ...SERVER_LIMITS, ...limits });
  return Number(new URL(url).port);
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => undefined);
    sockets.push(s);
  });
}

/** What the server said before it closed the connection. */
function closed(s: Socket): Promise<string> {
  let said = '';
  s.on('data', (d: Buffer) => (said += d.toString()));
  return new Promise((resolve) => s.on('close', () => resolve(said.split('\r\n')[0] ?? '')));
}

describe('hardened servers', () => {
  it('answers 408 and closes a connection whose headers never finish', async () => {
    const s = await open(await server({ headersTimeoutMs: 300, requestTimeoutMs: 600, checkIntervalMs: 100 }));
    s.write('GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(await closed(s)).toBe('HTTP/1.1 408 Request Timeout');
  });

  it('answers 408 and closes a request whose body trickles in past the request timeout', async () => {
    const s = await open(await server({ headersTimeoutMs: 300, requestTimeoutMs: 600, checkIntervalMs: 100 }));
    s.write('POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n');
    const drip = setInterval(() => s.writable && s.write('a'), 50);
    const said = await closed(s);
    clearInterval(drip);
    expect(said).toBe('HTTP/1.1 408 Request Timeout');
  });

  it('closes an idle connection', async () => {
    const s = await open(await server({ idleTimeoutMs: 200 }));
    expect(await closed(s)).toBe('');
  });

  it('refuses connections over the cap at once, and serves those within it', async () => {
    const port = await server({ maxConnections: 3 });
    const held = await Promise.all([open(port), open(port), open(port)]);
    const extra = await open(port);
    expect(await closed(extra)).toBe('');
    const answer = new Promise<string>((resolve) => held[0]!.on('data', (d: Buffer) => resolve(d.toString().split('\r\n')[0]!)));
    held[0]!.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await answer).toBe('HTTP/1.1 200 OK');
  });

  it('the webhook receiver gets the same limits (a cap of 64 connections)', async () => {
    const receiver = new WebhookReceiver({ bind: '127.0.0.1', port: 0, token: 't'.repeat(32), logger: createLogger({ level: 'error', format: 'json' }), onHint: () => undefined });
    const url = await receiver.start();
    stops.push(() => receiver.stop());
    const port = Number(new URL(url).port);
    await Promise.all(Array.from({ length: SERVER_LIMITS.maxConnections }, () => open(port)));
    expect(await closed(await open(port))).toBe('');
  });

  it('a chunked webhook body that never ends: 413 at once past 64 KiB when it streams, 408 at the request timeout when it trickles', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    const receiver = new WebhookReceiver({
      bind: '127.0.0.1', port: 0, token: 't'.repeat(32), logger: createLogger({ level: 'error', format: 'json' }), onHint: () => undefined,
      limits: { ...SERVER_LIMITS, headersTimeoutMs: 300, requestTimeoutMs: 800, checkIntervalMs: 100 },
    });
    const url = new URL(await receiver.start());
    stops.push(() => receiver.stop());
    const send = async (chunk: string, everyMs: number) => {
      const s = await open(Number(url.port));
      s.write(`POST ${url.pathname} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const drip = setInterval(() => s.writable && s.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`), everyMs);
      const said = await closed(s);
      clearInterval(drip);
      return said;
    };
    expect(await send('x'.repeat(16_384), 1)).toBe('HTTP/1.1 413 Payload Too Large');
    expect(await send('x', 50)).toBe('HTTP/1.1 408 Request Timeout');
    process.off('uncaughtException', onUncaught);
    expect(uncaught).toEqual([]);
    // The second is counted when the server sees the cut-off request's error, which can come after the client has
    // read the 408 and the close (it did, once, with both cores busy).
    await vi.waitFor(() => expect(receiver.rejected).toBe(2), { timeout: 5_000, interval: 20 });
  });

  it('a bind address that is not this machine\'s is a configuration error naming the key (exit 78)', async () => {
    const s = createServer();
    // 192.0.2.1 is TEST-NET-1: never this machine's; binding sends nothing anywhere
    const err = await listenOn(s, '192.0.2.1', 0, WHAT).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((err as Error).message).toBe('"metrics.bind" (192.0.2.1) is not an address of this machine to listen for metrics scrapes on (EADDRNOTAVAIL).');
  });
});
