// Issue 12's Magus rows: a linear SSE parser (20k data lines without a blank line froze the event loop for 67 s),
// an answer whole at message.completed (a server that kept the stream open cost the full timeout per narrative),
// and failures cached with backoff (a bad key was asked again for every narrative, every tick).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { HttpTransport } from '../../../src/http/transport.js';
import { MAGUS_BACKOFF_FIRST_MS, MAGUS_BACKOFF_MAX_MS, MagusClient } from '../../../src/magus/magus-client.js';
import { parseSse, SseParser } from '../../../src/magus/sse-parser.js';
import { MemoryMagusUsage } from '../../helpers/magus.js';

const KEY = 'magus_sk_0123456789abcdef0123456789abcdef';
const T0 = Date.parse('2026-04-01T12:00:00Z');


const servers: Server[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of servers.splice(0)) await new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); });
});

describe('SSE parser, linear in its input', () => {
  it('parses 20,000 data lines without a blank line with at most one JSON.parse, whatever they hold', () => {
    const parse = vi.spyOn(JSON, 'parse');
    // Each line keeps the JSON open (it nests deeper): the old parser joined and parsed all data so far per line.
    const nested = parseSse('data: {"a":[1,\n'.repeat(20_000), { maxMessageChars: 10_000_000 });
    expect(nested).toHaveLength(1);
    expect(nested[0]!.data.split('\n')).toHaveLength(20_000);
    const plain = parseSse('data: x\n'.repeat(20_000), { maxMessageChars: 10_000_000 });
    expect(plain).toHaveLength(1);
    expect(parse.mock.calls.length).toBeLessThanOrEqual(1);
  });

  it('still splits JSON values sent without blank lines, one parse each', () => {
    const parse = vi.spyOn(JSON, 'parse');
    const msgs = parseSse('data: {"n":1}\ndata: {"n":2}\ndata: [DONE]\n');
    expect(msgs.map((m) => m.data)).toEqual(['{"n":1}', '{"n":2}', '[DONE]']);
    expect(parse.mock.calls.length).toBeLessThanOrEqual(3);
  });

  it('a long line arriving one character at a time is joined once, not rescanned per chunk', () => {
    const p = new SseParser();
    const line = `data: ${'y'.repeat(200_000)}`;
    const out = [];
    for (const ch of line) out.push(...p.push(ch));
    out.push(...p.push('\r'), ...p.push('\n\n'), ...p.end());
    expect(out).toEqual([{ event: null, data: 'y'.repeat(200_000), id: null }]);
  });
});

describe('Magus answers and failures', () => {
  it('returns the answer at message.completed even when the server keeps the stream open', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ event: 'text.chunk', delta: 'the answer' })}\n\n`);
      res.write(`data: ${JSON.stringify({ event: 'message.completed', message_id: 'm1', usage: { prompt_tokens: 5, completion_tokens: 3 } })}\n\n`);
      // ... and never ends the response
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const transport = new HttpTransport({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/magus`, timeoutMs: 2000 });
    const client = new MagusClient({ transport, apiKey: KEY, usage: new MemoryMagusUsage(), dailyCreditCap: 1000, clock: new ManualClock(T0), streamTimeoutMs: 300_000 });
    const reply = await client.ask({ content: 'q' });
    await transport.close();
    expect(reply).toMatchObject({ content: 'the answer', id: 'm1', credits: 8 });
  });

  it('a bad key costs one call per backoff period, not one per narrative; the cached error says so', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    let hits = 0;
    agent.get('http://127.0.0.1:9').intercept({ path: '/magus/api/v1/messages', method: 'POST' }).reply(() => {
      hits++;
      return { statusCode: 401, data: { error: { code: 'invalid_api_key', message: 'bad key' } }, responseOptions: { headers: { 'content-type': 'application/json' } } };
    }).persist();
    const clock = new ManualClock(T0);
    const usage = new MemoryMagusUsage();
    const client = new MagusClient({ transport: new HttpTransport({ baseUrl: 'http://127.0.0.1:9/magus', timeoutMs: 2000, dispatcher: agent }), apiKey: KEY, usage, dailyCreditCap: 10_000, clock, stream: false });
    const errors: Array<{ code?: string; message?: string }> = [];
    for (let i = 0; i < 50; i++) errors.push(await client.ask({ content: `narrative ${i}` }).then(() => ({}), (e: { code?: string; message?: string }) => e));
    expect(hits).toBe(1);
    expect(errors.every((e) => e.code === 'MAGUS_UNAUTHORIZED')).toBe(true);
    expect(errors[1]!.message).toMatch(/^Magus rejected the API key \(401 invalid_api_key: bad key\); Magus is not asked again for 900 s\.$/);
    expect(errors.some((e) => e.message?.includes(KEY))).toBe(false);
    expect(usage.calls).toHaveLength(1); // refused calls never reached Magus
    clock.set(T0 + MAGUS_BACKOFF_MAX_MS);
    await client.ask({ content: 'later' }).catch(() => undefined);
    expect(hits).toBe(2);
  });

  it('Magus down backs off from 30 s, doubling per failure in a row, and a success resets it', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    let hits = 0;
    let fail = true;
    agent.get('http://127.0.0.1:9').intercept({ path: '/magus/api/v1/messages', method: 'POST' }).reply((): { statusCode: number; data: object; responseOptions: { headers: Record<string, string> } } => {
      hits++;
      return fail
        ? { statusCode: 500, data: { error: { code: 'internal_error', message: 'down' } }, responseOptions: { headers: { 'content-type': 'application/json' } } }
        : { statusCode: 200, data: { content: 'ok' }, responseOptions: { headers: { 'content-type': 'application/json' } } };
    }).persist();
    const clock = new ManualClock(T0);
    const client = new MagusClient({ transport: new HttpTransport({ baseUrl: 'http://127.0.0.1:9/magus', timeoutMs: 2000, dispatcher: agent }), apiKey: KEY, usage: new MemoryMagusUsage(), dailyCreditCap: 10_000, clock, stream: false });
    const ask = () => client.ask({ content: 'q' }).catch((e: { code: string }) => e.code);
    expect(await ask()).toBe('MAGUS_UNAVAILABLE');
    expect(await ask()).toBe('MAGUS_UNAVAILABLE');
    expect(hits).toBe(1);
    clock.set(T0 + MAGUS_BACKOFF_FIRST_MS);
    await ask();
    expect(hits).toBe(2);
    clock.set(T0 + 2 * MAGUS_BACKOFF_FIRST_MS); // the second failure in a row waits 60 s
    await ask();
    expect(hits).toBe(2);
    clock.set(T0 + 3 * MAGUS_BACKOFF_FIRST_MS);
    fail = false;
    expect(await client.ask({ content: 'q' })).toMatchObject({ content: 'ok' });
    fail = true;
    await ask();
    await ask();
    expect(hits).toBe(4);
  });

  it('an answer that is not Magus\'s (a 404 or 429 page, broken JSON, a stream cut short) backs off too: one call per period', async () => {
    const answers: Array<() => { statusCode: number; data: string; responseOptions: { headers: Record<string, string> } }> = [
      () => ({ statusCode: 404, data: '<html>not found</html>', responseOptions: { headers: { 'content-type': 'text/html' } } }),
      () => ({ statusCode: 429, data: 'slow down', responseOptions: { headers: { 'content-type': 'text/plain' } } }),
      () => ({ statusCode: 200, data: '{"content": "cut', responseOptions: { headers: { 'content-type': 'application/json' } } }),
      () => ({ statusCode: 200, data: 'data: {"event":"text.chunk","delta":"half"}\n\n', responseOptions: { headers: { 'content-type': 'text/event-stream' } } }),
    ];
    for (const answer of answers) {
      const agent = new MockAgent();
      agent.disableNetConnect();
      let hits = 0;
      agent.get('http://127.0.0.1:9').intercept({ path: '/magus/api/v1/messages', method: 'POST' }).reply(() => {
        hits++;
        return answer();
      }).persist();
      const clock = new ManualClock(T0);
      const client = new MagusClient({ transport: new HttpTransport({ baseUrl: 'http://127.0.0.1:9/magus', timeoutMs: 2000, dispatcher: agent }), apiKey: KEY, usage: new MemoryMagusUsage(), dailyCreditCap: 10_000, clock });
      const codes = new Set<string>();
      for (let i = 0; i < 20; i++) await client.ask({ content: `narrative ${i}` }).then(() => codes.add('answered'), (e: { code: string }) => codes.add(e.code));
      expect([...codes]).toEqual(['MAGUS_MALFORMED']);
      expect(hits).toBe(1);
      clock.set(T0 + MAGUS_BACKOFF_FIRST_MS);
      await client.ask({ content: 'later' }).catch(() => undefined);
      expect(hits).toBe(2);
      await agent.close();
    }
  });
});
