import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { MagmaError } from '../../../src/core/errors.js';
import { HttpTransport } from '../../../src/http/transport.js';
import { MagusClient } from '../../../src/magus/magus-client.js';
import type { MagusEvent } from '../../../src/magus/magus-events.js';
import { sessionIdForNarrative } from '../../../src/magus/session-id.js';
import type { ApiCallRecord } from '../../../src/ports/store.js';
import type { MagusUsageStore } from '../../../src/ports/magus.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { MemoryMagusUsage } from '../../helpers/magus.js';

const KEY = 'magus_sk_0123456789abcdef0123456789abcdef';
const ORIGIN = 'http://127.0.0.1:9';
const T0 = Date.parse('2026-04-01T12:00:00Z');


function mockClient(o: { cap?: number; usage?: MagusUsageStore } = {}) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const usage = o.usage ?? new MemoryMagusUsage();
  const transport = new HttpTransport({ baseUrl: `${ORIGIN}/magus`, timeoutMs: 2000, dispatcher: agent });
  const client = new MagusClient({ transport, apiKey: KEY, usage, dailyCreditCap: o.cap ?? 10_000, clock: new ManualClock(T0), stream: false });
  return { pool: agent.get(ORIGIN), client, usage: usage as MemoryMagusUsage };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); });
});

/** A loopback server that writes the given chunks one by one, with a pause between them. */
async function streamingServer(chunks: string[], o: { status?: number; stallAfter?: boolean } = {}) {
  const seen: Array<{ headers: Record<string, unknown>; body: unknown }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', async () => {
      seen.push({ headers: req.headers, body: JSON.parse(body) });
      res.writeHead(o.status ?? 200, { 'content-type': 'text/event-stream' });
      for (const c of chunks) {
        res.write(c);
        await new Promise((r) => setTimeout(r, 2));
      }
      if (!o.stallAfter) res.end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const calls: ApiCallRecord[] = [];
  const transport = new HttpTransport({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/magus`, timeoutMs: 2000, onCall: (c) => calls.push(c) });
  return { transport, seen, calls };
}

const ev = (o: object) => `data: ${JSON.stringify(o)}\n\n`;
const judgeJson = '{"p_true": 0.73, "confidence": 0.6, "reasoning": "on trend"}';
const fullStream = [
  ev({ event: 'session.created', session_id: 'narrative-n1', conversation_id: 'c1' }),
  ev({ event: 'message.started', message_id: 'm1' }),
  ev({ event: 'thinking.chunk', delta: 'hmm' }),
  ev({ event: 'tool.started', name: 'web_search' }),
  ev({ event: 'tool.progress', name: 'web_search' }),
  ev({ event: 'tool.completed', name: 'web_search' }),
  ev({ event: 'sim.debug', note: 'unknown' }),
  ...judgeJson.match(/.{1,9}/g)!.map((delta) => ev({ event: 'text.chunk', delta })),
  ev({ event: 'message.completed', message_id: 'm1', usage: { prompt_tokens: 150, completion_tokens: 25 } }),
  'data: [DONE]\n\n',
].join('');

describe('MagusClient (whole replies)', () => {
  it('sends the Bearer key, session, verbosity and base64 attachments; records usage as credits', async () => {
    const { pool, client, usage } = mockClient();
    let sent: { headers: Record<string, string>; body: Record<string, unknown> } | null = null;
    pool.intercept({ path: '/magus/api/v1/messages', method: 'POST' }).reply((opts) => {
      sent = { headers: opts.headers as Record<string, string>, body: JSON.parse(String(opts.body)) };
      return { statusCode: 200, data: { id: 'msg_1', session_id: 'narrative-n1', conversation_id: 'c', content: judgeJson, citations: [], tool_calls: [], attachments: [], usage: { prompt_tokens: 150, completion_tokens: 25 }, created_at: '2026-03-28T14:30:00Z' }, responseOptions: { headers: { 'content-type': 'application/json' } } };
    });
    const reply = await client.message({ content: 'judge', sessionId: sessionIdForNarrative('n1'), verbosity: 'standard', attachments: [{ name: 'a.txt', contentType: 'text/plain', data: new TextEncoder().encode('hi') }] });
    expect(sent!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent!.body).toEqual({ content: 'judge', stream: false, verbosity: 'standard', session_id: 'narrative-n1', attachments: [{ type: 'file', name: 'a.txt', content_type: 'text/plain', data: 'aGk=' }] });
    expect(reply).toMatchObject({ id: 'msg_1', content: judgeJson, promptTokens: 150, completionTokens: 25, credits: 175 });
    expect(usage.calls).toEqual([expect.objectContaining({ day: '2026-04-01', sessionId: 'narrative-n1', status: 200, credits: 175, errorCode: null, stream: false })]);
  });

  it.each([
    [400, 'invalid_request', 'MAGUS_BAD_REQUEST'],
    [401, 'invalid_api_key', 'MAGUS_UNAUTHORIZED'],
    [403, 'integration_inactive', 'MAGUS_INACTIVE'],
    [403, 'usage_limit_exceeded', 'MAGUS_USAGE_LIMIT'],
    [502, 'agent_error', 'MAGUS_AGENT_ERROR'],
    [504, 'timeout', 'MAGUS_TIMEOUT'],
    [500, 'internal_error', 'MAGUS_UNAVAILABLE'],
  ])('maps %i %s to %s, with a clear message and without the key', async (status, code, ours) => {
    const { pool, client, usage } = mockClient();
    pool.intercept({ path: '/magus/api/v1/messages', method: 'POST' }).reply(status, { error: { code, message: `nope ${KEY}` } }, { headers: { 'content-type': 'application/json' } });
    const err = (await client.message({ content: 'x' }).catch((e: unknown) => e)) as MagmaError;
    expect(err).toBeInstanceOf(MagmaError);
    expect(err.code).toBe(ours);
    expect(err.humanMessage).toContain(code);
    const text = `${err.message}${err.stack}${err.hint}${JSON.stringify(err.context)}`;
    expect(text).not.toContain(KEY);
    expect(usage.calls[0]).toMatchObject({ status, errorCode: ours });
  });

  it('stops calling for the day after usage_limit_exceeded', async () => {
    const { pool, client } = mockClient();
    pool.intercept({ path: '/magus/api/v1/messages', method: 'POST' }).reply(403, { error: { code: 'usage_limit_exceeded', message: 'Daily credit limit reached' } }, { headers: { 'content-type': 'application/json' } });
    await expect(client.message({ content: 'x' })).rejects.toMatchObject({ code: 'MAGUS_USAGE_LIMIT' });
    await expect(client.message({ content: 'x' })).rejects.toMatchObject({ code: 'MAGUS_USAGE_LIMIT' }); // no interceptor left: not sent
  });

  it('does not call Magus once the daily credit cap is spent, or when the cap is 0', async () => {
    const usage = new MemoryMagusUsage();
    usage.recordMagusCall({ at: '', day: '2026-04-01', sessionId: null, stream: true, verbosity: null, status: 200, latencyMs: 1, promptTokens: 90, completionTokens: 10, credits: 100, errorCode: null });
    const { client } = mockClient({ cap: 100, usage });
    const err = (await client.message({ content: 'x' }).catch((e: unknown) => e)) as MagmaError<'MAGUS_CREDIT_CAP'>;
    expect(err.code).toBe('MAGUS_CREDIT_CAP');
    expect(err.context.retryAfterMs).toBe(12 * 3_600_000);
    expect(usage.calls).toHaveLength(1);
    await expect(mockClient({ cap: 0 }).client.message({ content: 'x' })).rejects.toMatchObject({ code: 'MAGUS_CREDIT_CAP' });
  });

  it('keeps usage in SQLite across restarts (migration 0002)', () => {
    const store = SqliteStore.open(':memory:');
    store.recordMagusCall({ at: '2026-04-01T00:00:00Z', day: '2026-04-01', sessionId: 's', stream: true, verbosity: 'full', status: 200, latencyMs: 5, promptTokens: 3, completionTokens: 4, credits: 7, errorCode: null });
    expect(store.magusCreditsOn('2026-04-01')).toBe(7);
    expect(store.magusCreditsOn('2026-04-02')).toBe(0);
    store.close();
  });
});

describe('MagusClient (streams)', () => {
  it('joins text chunks written separately, skips unknown events, shows every event, records usage', async () => {
    const chunks = fullStream.match(/[\s\S]{1,17}/g)!;
    const { transport, seen, calls } = await streamingServer(chunks);
    const usage = new MemoryMagusUsage();
    const events: MagusEvent[] = [];
    const client = new MagusClient({ transport, apiKey: KEY, usage, dailyCreditCap: 1000, clock: new ManualClock(T0), onEvent: (e) => events.push(e) });
    const reply = await client.ask({ content: 'judge n1', sessionId: 'narrative-n1', verbosity: 'full' });
    expect(reply).toMatchObject({ content: judgeJson, sessionId: 'narrative-n1', conversationId: 'c1', id: 'm1', credits: 175 });
    expect(seen[0]!.body).toMatchObject({ stream: true, verbosity: 'full', session_id: 'narrative-n1' });
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['session.created', 'message.started', 'thinking.chunk', 'tool.started', 'tool.progress', 'tool.completed', 'unknown', 'text.chunk', 'message.completed'])); // whole at message.completed: [DONE] after it is not waited for
    expect(usage.calls[0]).toMatchObject({ stream: true, status: 200, credits: 175 });
    expect(calls[0]).toMatchObject({ family: 'magus', route: '/api/v1/messages', status: 200 });
  });

  it('fails a stream that ends without message.completed instead of returning a partial answer', async () => {
    const { transport } = await streamingServer([ev({ event: 'text.chunk', delta: '{"p_true": 0.' })]);
    const client = new MagusClient({ transport, apiKey: KEY, usage: new MemoryMagusUsage(), dailyCreditCap: 1000, clock: new ManualClock(T0) });
    await expect(client.ask({ content: 'x' })).rejects.toMatchObject({ code: 'MAGUS_MALFORMED', message: expect.stringMatching(/without message.completed/) });
  });

  it('turns an error event into an error', async () => {
    const { transport } = await streamingServer([ev({ event: 'text.chunk', delta: 'a' }), ev({ event: 'error', message: 'agent crashed' })]);
    const client = new MagusClient({ transport, apiKey: KEY, usage: new MemoryMagusUsage(), dailyCreditCap: 1000, clock: new ManualClock(T0) });
    await expect(client.ask({ content: 'x' })).rejects.toMatchObject({ code: 'MAGUS_AGENT_ERROR', message: expect.stringMatching(/agent crashed/) });
  });

  it('maps an error status on a stream request from its JSON body', async () => {
    const { transport } = await streamingServer([JSON.stringify({ error: { code: 'invalid_api_key', message: 'Invalid API key' } })], { status: 401 });
    const client = new MagusClient({ transport, apiKey: KEY, usage: new MemoryMagusUsage(), dailyCreditCap: 1000, clock: new ManualClock(T0) });
    await expect(client.ask({ content: 'x' })).rejects.toMatchObject({ code: 'MAGUS_UNAUTHORIZED' });
  });

  it('times out a stream that stalls, and the error names no key', async () => {
    const { transport } = await streamingServer([ev({ event: 'message.started', message_id: 'm' })], { stallAfter: true });
    const client = new MagusClient({ transport, apiKey: KEY, usage: new MemoryMagusUsage(), dailyCreditCap: 1000, clock: new ManualClock(T0), streamTimeoutMs: 300 });
    const err = (await client.ask({ content: 'x' }).catch((e: unknown) => e)) as MagmaError;
    expect(err.code).toBe('MAGUS_TIMEOUT');
    expect(`${err.message}${err.stack}${String((err.cause as Error)?.stack)}`).not.toContain(KEY);
  });
});

describe('MagusClient credit cap under concurrency', () => {
  it('holds credits for calls in flight so concurrent calls cannot all pass the cap', async () => {
    const { pool, client } = mockClient({ cap: 30 });
    pool.intercept({ path: '/magus/api/v1/messages', method: 'POST' }).reply(200, { content: '{}', usage: { prompt_tokens: 25, completion_tokens: 5 } }, { headers: { 'content-type': 'application/json' } }).delay(20).persist();
    const content = 'x'.repeat(80); // ~20 credits held while in flight
    const results = await Promise.allSettled([client.message({ content }), client.message({ content })]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'MAGUS_CREDIT_CAP' });
    expect(client.creditsLeftToday()).toBe(0);
  });
});
