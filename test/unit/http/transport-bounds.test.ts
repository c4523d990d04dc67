// Every response body the transport reads is bounded in bytes, declared or not (issue 12: a body without
// content-length that never ends took 3.5 GB of memory). Real loopback servers, as the production path reads them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransport, MAX_BODY_BYTES } from '../../../src/http/transport.js';
import type { ApiCallRecord } from '../../../src/ports/store.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Answers with chunks for as long as the client reads; counts what it sent. */
function endless(sent: { bytes: number }) {
  return (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' }); // no content-length: chunked, never ending
    const chunk = Buffer.from(`{"id":"${'x'.repeat(1000)}"},`);
    res.write('{"narratives":[');
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) sent.bytes += chunk.length;
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  };
}

describe('bounded response bodies', () => {
  it('stops reading a body without content-length that never ends at the route\'s limit, with a clear error', async () => {
    const sent = { bytes: 0 };
    const calls: ApiCallRecord[] = [];
    const transport = new HttpTransport({ baseUrl: await serve(endless(sent)), timeoutMs: 30_000, onCall: (c) => calls.push(c) });
    const err = await transport.call({ method: 'GET', path: '/v1/agent/feed', route: '/v1/agent/feed', family: 'feed', maxBytes: 256 * 1024 }).catch((e: unknown) => e);
    await transport.close();
    expect(err).toMatchObject({ code: 'API_MALFORMED', context: { route: '/v1/agent/feed', limitBytes: 256 * 1024 } });
    expect((err as Error).message).toMatch(/^\/v1\/agent\/feed at http:\/\/127\.0\.0\.1:\d+ answered with more than 262144 bytes, over this route's 262144-byte limit; the answer was dropped\.$/);
    expect(calls.map((c) => c.errorCode)).toEqual(['API_MALFORMED']); // not retried: the same answer would come back
  });

  it('refuses a declared length over the limit before reading it, and applies the default limit without maxBytes', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES + 1) });
      res.write('{');
    });
    const transport = new HttpTransport({ baseUrl: url, timeoutMs: 30_000 });
    const err = await transport.call({ method: 'GET', path: '/x', route: '/x', family: 'public' }).catch((e: unknown) => e);
    await transport.close();
    expect(err).toMatchObject({ code: 'API_MALFORMED' });
    expect((err as Error).message).toContain(`answered with a ${MAX_BODY_BYTES + 1}-byte body, over this route's ${MAX_BODY_BYTES}-byte limit`);
  });

  it('reads a body within its limit whole, multi-byte characters split across chunks included', async () => {
    const text = JSON.stringify({ s: 'é€😀'.repeat(50_000) });
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const buf = Buffer.from(text);
      for (let i = 0; i < buf.length; i += 4093) res.write(buf.subarray(i, i + 4093));
      res.end();
    });
    const transport = new HttpTransport({ baseUrl: url, timeoutMs: 30_000 });
    const res = await transport.call({ method: 'GET', path: '/x', route: '/x', family: 'public', maxBytes: Buffer.byteLength(text) });
    await transport.close();
    expect(res.body).toEqual(JSON.parse(text));
  });
});
