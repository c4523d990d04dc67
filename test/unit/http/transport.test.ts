import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { HttpTransport } from '../../../src/http/transport.js';
import type { ApiCallRecord } from '../../../src/ports/store.js';

const ORIGIN = 'http://127.0.0.1:9';

function setup(timeoutMs = 2000) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const calls: ApiCallRecord[] = [];
  const sleeps: number[] = [];
  const transport = new HttpTransport({
    baseUrl: ORIGIN, timeoutMs, dispatcher: agent, onCall: (c) => calls.push(c), backoffMs: 100,
    sleep: async (ms) => void sleeps.push(ms),
  });
  return { pool: agent.get(ORIGIN), transport, calls, sleeps };
}

describe('HttpTransport', () => {
  it('retries a read on 5xx with jittered, growing backoff on the injected sleep', async () => {
    const { pool, transport, calls, sleeps } = setup();
    pool.intercept({ path: '/r' }).reply(503, 'x').times(2);
    pool.intercept({ path: '/r' }).reply(200, { ok: true }, { headers: { 'content-type': 'application/json' } });
    const res = await transport.call({ method: 'GET', path: '/r', route: '/r', family: 'public' });
    expect(res.status).toBe(200);
    expect(calls.map((c) => c.status)).toEqual([503, 503, 200]);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]!).toBeLessThanOrEqual(100);
    expect(sleeps[1]!).toBeLessThanOrEqual(200);
  });

  it('never retries a write', async () => {
    const { pool, transport, calls } = setup();
    pool.intercept({ path: '/w', method: 'POST' }).reply(500, 'x');
    const res = await transport.call({ method: 'POST', path: '/w', route: '/w', family: 'backing', body: {} });
    expect(res.status).toBe(500);
    expect(calls).toHaveLength(1);
  });

  it('records rate-limit headers and the budget left', async () => {
    const { pool, transport, calls } = setup();
    pool.intercept({ path: '/f' }).reply(200, {}, { headers: { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '41', 'x-ratelimit-reset': '17' } });
    await transport.call({ method: 'GET', path: '/f', route: '/f', family: 'feed', budgetRemaining: 12 });
    expect(calls[0]).toMatchObject({ rateLimitLimit: 60, rateLimitRemaining: 41, rateLimitReset: '17', budgetRemaining: 12 });
  });

  it('cancels at once when the caller aborts', async () => {
    const { pool, transport } = setup();
    pool.intercept({ path: '/slow' }).reply(200, {}).delay(1000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    await expect(transport.call({ method: 'GET', path: '/slow', route: '/slow', family: 'public', signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('streams a body as chunks and records the call when the stream ends', async () => {
    const { pool, transport, calls } = setup();
    pool.intercept({ path: '/s', method: 'POST' }).reply(200, 'data: 1\n\ndata: 2\n\n', { headers: { 'content-type': 'text/event-stream' } });
    const s = await transport.stream({ method: 'POST', path: '/s', route: '/s', family: 'magus', body: { a: 1 } });
    expect(calls).toHaveLength(0);
    let text = '';
    for await (const c of s.chunks) text += Buffer.from(c).toString();
    expect(text).toBe('data: 1\n\ndata: 2\n\n');
    expect(calls).toEqual([expect.objectContaining({ route: '/s', status: 200, family: 'magus', errorCode: null })]);
  });

  it('times a stream out as a whole', async () => {
    const { pool, transport } = setup();
    pool.intercept({ path: '/s', method: 'POST' }).reply(200, 'data: x\n\n').delay(500);
    await expect((async () => {
      const s = await transport.stream({ method: 'POST', path: '/s', route: '/s', family: 'magus', streamTimeoutMs: 50 });
      for await (const _ of s.chunks) void _;
    })()).rejects.toMatchObject({ code: 'API_TIMEOUT' });
  });
});
