import { describe, expect, it } from 'vitest';
import { MagmaError } from '../../../src/core/errors.js';
import { JSON_HEADERS, mockMagma } from '../../helpers/mock-magma.js';

const KEY = 'mgma_LEAKCANARY_9f8e7d6c5b4a39281706f5e4d3c2b1a0';

/** Every string reachable from an error: message, stack, hint, context, and the whole cause chain. */
function allText(err: unknown, depth = 0): string {
  if (depth > 10 || err === null || err === undefined) return '';
  if (typeof err !== 'object') return String(err);
  const e = err as Error & { context?: unknown; hint?: unknown; cause?: unknown };
  const parts = [String(e.message ?? ''), String(e.stack ?? ''), String(e.hint ?? ''), JSON.stringify(e.context ?? null, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))];
  for (const key of Object.getOwnPropertyNames(e)) {
    if (['message', 'stack', 'cause'].includes(key)) continue;
    try {
      parts.push(JSON.stringify((e as unknown as Record<string, unknown>)[key], (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) ?? '');
    } catch {
      parts.push(String((e as unknown as Record<string, unknown>)[key]));
    }
  }
  return parts.join('\n') + '\n' + allText(e.cause, depth + 1);
}

type Setup = (pool: ReturnType<typeof mockMagma>['pool']) => void;
const cases: Array<[string, Setup, string, string?]> = [
  ['400', (p) => p.intercept({ path: '/v1/agent/feed' }).reply(400, { error: `bad key ${KEY}` }, { headers: JSON_HEADERS }), 'API_BAD_REQUEST'],
  ['401', (p) => p.intercept({ path: '/v1/agent/feed' }).reply(401, { ok: false, error: `Invalid or missing API key: ${KEY}` }, { headers: JSON_HEADERS }), 'API_UNAUTHORIZED', 'stop'],
  ['402 with no payer', (p) => p.intercept({ path: '/v1/agent/feed' }).reply(402, { x402Version: 1, error: KEY, accepts: [] }, { headers: JSON_HEADERS }), 'X402_NOT_PAID', 'skip'],
  ['403 blocked', (p) => p.intercept({ path: '/v1/agent/feed' }).reply(403, { error: 'Wallet is blocked', message: KEY }, { headers: JSON_HEADERS }), 'API_FORBIDDEN', 'no-writes'],
  ['404', (p) => p.intercept({ path: '/v1/agent/feed' }).reply(404, `<html>${KEY}</html>`), 'API_NOT_FOUND', 'skip'],
  ['429', (p) => p.intercept({ path: '/v1/agent/feed' }).reply(429, { statusCode: 429, error: 'Too Many Requests', message: KEY, retryAfter: 30 }, { headers: JSON_HEADERS }), 'API_RATE_LIMITED', 'retry'],
  ['500', (p) => p.intercept({ path: '/v1/agent/feed' }).reply(500, KEY).times(3), 'API_UNAVAILABLE', 'retry'],
  ['503', (p) => p.intercept({ path: '/v1/agent/feed' }).reply(503, { error: 'System halted', message: KEY }, { headers: JSON_HEADERS }).times(3), 'PROTOCOL_HALTED', 'no-writes'],
  ['418', (p) => p.intercept({ path: '/v1/agent/feed' }).reply(418, KEY), 'API_MALFORMED', 'skip'],
  ['HTML 200', (p) => p.intercept({ path: '/v1/agent/feed' }).reply(200, `<!doctype html><p>${KEY}</p>`), 'API_MALFORMED', 'skip'],
  ['wrong shape', (p) => p.intercept({ path: '/v1/agent/feed' }).reply(200, { narratives: KEY }, { headers: JSON_HEADERS }), 'API_MALFORMED', 'skip'],
  ['network error', (p) => p.intercept({ path: '/v1/agent/feed' }).replyWithError(Object.assign(new Error(`socket hang up with x-api-key: ${KEY}`), { code: 'ECONNRESET' })).times(3), 'NETWORK', 'retry'],
  ['no interceptor matched', () => undefined, 'NETWORK', 'retry'],
  ['timeout', (p) => p.intercept({ path: '/v1/agent/feed' }).reply(200, { narratives: [] }, { headers: JSON_HEADERS }).delay(500).times(3), 'API_TIMEOUT', 'retry'],
];

describe('error classes and the API key', () => {
  it.each(cases)('%s is sorted by consequence and never carries the key', async (_name, setup, code, consequence) => {
    const { pool, api, agent } = mockMagma({ apiKey: KEY, timeoutMs: 100 });
    void agent;
    setup(pool);
    const err = await api.feed().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MagmaError);
    expect((err as MagmaError).code).toBe(code);
    if (consequence) expect((err as MagmaError).consequence).toBe(consequence);
    expect(allText(err)).not.toContain(KEY);
    expect(allText(err)).not.toContain('LEAKCANARY');
    expect((err as MagmaError).humanMessage.length).toBeGreaterThan(10);
  });

  it('says how to fix a 401', async () => {
    const { pool, api } = mockMagma({ apiKey: KEY });
    pool.intercept({ path: '/v1/agent/feed' }).reply(401, { ok: false, error: 'Invalid or missing API key' }, { headers: JSON_HEADERS });
    const err = (await api.feed().catch((e: unknown) => e)) as MagmaError;
    expect(err.humanMessage).toMatch(/MAGMA_API_KEY/);
    expect(err.humanMessage).toMatch(/register/);
  });

  it.each([
    ['Wallet is blocked', 'wallet_blocked'],
    ['Terms not accepted', 'terms_not_accepted'],
    ['Programmatic writes require Pro tier', 'tier_too_low'],
    ['Forbidden', 'unknown'],
  ])('names which 403 it is: %s', async (said, reason) => {
    const { pool, api } = mockMagma({ apiKey: KEY });
    pool.intercept({ path: '/v1/agent/resolve', method: 'POST' }).reply(403, { error: said }, { headers: JSON_HEADERS });
    const err = (await api.resolve({ narrativeId: 'n', resolution: true, evidence: '', confidence: 0.9 }).catch((e: unknown) => e)) as MagmaError<'API_FORBIDDEN'>;
    expect(err.context.reason).toBe(reason);
    expect(err.humanMessage).toMatch(/no writes/i);
  });

  it('reads retry-after from the header (seconds or HTTP date), else the body', async () => {
    const cases429: Array<[Record<string, string>, unknown, number]> = [
      [{ 'retry-after': '12' }, { retryAfter: 99 }, 12_000],
      [{ 'retry-after': new Date(Date.parse('2026-04-01T00:00:30Z')).toUTCString() }, {}, 30_000],
      [{}, { retryAfter: 7 }, 7_000],
      [{}, { error: 'x', tier: 'free', limit: 60, retry_after: '60s' }, 60_000],
    ];
    for (const [headers, body, expected] of cases429) {
      const { pool, api } = mockMagma({ apiKey: KEY });
      pool.intercept({ path: '/v1/agent/feed' }).reply(429, body as object, { headers: { ...JSON_HEADERS, ...headers } });
      const err = (await api.feed().catch((e: unknown) => e)) as MagmaError<'API_RATE_LIMITED'>;
      expect(err.context.retryAfterMs).toBe(expected);
    }
  });
});
