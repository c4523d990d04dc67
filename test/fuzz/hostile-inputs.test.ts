// The fuzz suite of issue 12: generated hostile inputs for everything the agent reads from outside — feed items,
// MAGMA, Solana RPC, Magus SSE and price answers, config files, recording lines. Each input must end accepted or
// rejected with a MagmaError that says what is wrong (a code and a message); nothing may throw anything else,
// reject unhandled or pollute Object.prototype. Counts per target and rejection reason are printed at the end.
// Bounded: a fixed number of runs per target (seeded from the clock; fast-check prints the seed of a failure).
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecording } from '../../src/backtest/recording.js';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { MAX_TIMER_MS } from '../../src/clock/real-sleep.js';
import { ENV_KEYS, loadConfig } from '../../src/config/load.js';
import { riskLimits } from '../../src/core/risk.js';
import { RpcChain } from '../../src/chain/rpc-chain.js';
import { isMagmaError } from '../../src/core/errors.js';
import type { HttpResult, HttpStream, HttpTransport } from '../../src/http/transport.js';
import { HttpMagmaApi } from '../../src/magma/http-magma-api.js';
import { parseFeed } from '../../src/magma/schemas.js';
import { MagusClient } from '../../src/magus/magus-client.js';
import type { MagusCallRecord } from '../../src/ports/magus.js';
import { CoinGeckoPriceSource } from '../../src/prices/coingecko-price-source.js';
import { PythPriceSource } from '../../src/prices/pyth-price-source.js';
import { SimPriceSource } from '../../src/prices/sim-price-source.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';

const T0 = Date.parse('2026-04-01T12:00:00Z');
/** Runs per target: 10,000 API answers in all (MAGMA, RPC, Magus SSE, prices) and 10,000 config files. */
const RUNS = { magma: 2_500, rpc: 2_500, magus: 2_500, prices: 2_500, config: 10_000 };
const counts = new Map<string, Map<string, number>>();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);

/** A rejection's reason without the values in it, so that like reasons count together. */
function reasonOf(err: unknown): string {
  if (!isMagmaError(err)) return `NOT A MagmaError: ${String((err as Error)?.stack ?? err).slice(0, 300)}`;
  const first = err.message.replace(/^invalid configuration:\s*-\s*/, '').split('\n')[0]!;
  // the server's own words are a value too: "failed: <what it said> (code N)" counts as one reason
  const text = first.replace(/ failed: [^(]*\(/, ' failed: … (').replace(/"[^"]*"/g, '"…"').replace(/\([^()]*\)/g, '(…)').replace(/-?\d[\d.e+-]*/g, 'N');
  return `${err.code}: ${text.slice(0, 90)}`;
}

function count(target: string, outcome: string, n = 1): void {
  const m = counts.get(target) ?? new Map<string, number>();
  m.set(outcome, (m.get(outcome) ?? 0) + n);
  counts.set(target, m);
}

/** Runs one input: accepted (and checked by `sane`) or rejected with a MagmaError that explains itself. */
async function outcome<T>(target: string, run: () => Promise<T> | T, sane: (v: T) => boolean = () => true): Promise<void> {
  let value: T;
  try {
    value = await run();
  } catch (err) {
    const reason = reasonOf(err);
    count(target, `rejected ${reason}`);
    expect(isMagmaError(err), reason).toBe(true);
    expect((err as Error).message.length).toBeGreaterThan(10);
    return;
  }
  expect(sane(value), `${target}: an accepted value that is not sane: ${JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))?.slice(0, 300)}`).toBe(true);
  count(target, 'accepted');
}

// ---- generators ------------------------------------------------------------------------------------------------

const hostileNumber = fc.oneof(
  fc.double(), fc.integer(), fc.constantFrom(0, -0, 1e12, 9.3e9, 9_223_372_036, 1e300, -1, 2 ** 53, 2 ** 63, Number.MAX_VALUE, 1e-320, 0.1),
);
const hostileString = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('', ' ', '__proto__', 'constructor', '\u0000', 'é€😀', 'x'.repeat(5000), '1e300', 'NaN', '-1'));
const leaf = fc.oneof(hostileNumber, hostileString, fc.boolean(), fc.constant(null));
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(hostileString, fc.constantFrom('id', 'event', 'value', 'prices', 'narratives', 'parsed', 'price', 'result', 'error')), tie('value'), { maxKeys: 4 }),
})).value;
const deep = fc.integer({ min: 0, max: 200 }).map((n) => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = { v };
  return v;
});

/** Mostly a plausible value, sometimes a hostile one: so that items get past the first check and deeper ones run. */
const mostly = <T>(good: fc.Arbitrary<T>, ...bad: fc.Arbitrary<unknown>[]) => fc.oneof({ arbitrary: good as fc.Arbitrary<unknown>, weight: 6 }, ...bad.map((arbitrary) => ({ arbitrary, weight: 1 })));
const feedItem = fc.record({
  id: mostly(fc.uuid(), hostileString, hostileNumber, fc.constant(undefined)),
  title: mostly(fc.string({ maxLength: 80 }), hostileString, fc.constant(undefined), leaf),
  thesis: mostly(fc.string({ maxLength: 200 }), hostileString, fc.constant(undefined)),
  category: mostly(fc.constantFrom('Crypto', 'Sports'), leaf),
  oracle_status: mostly(fc.constantFrom('open', 'live', 'pending', 'resolved_true', 'resolved_false', 'refund'), leaf),
  total_backed_sol: mostly(fc.double({ min: 0, max: 1e6, noNaN: true }), hostileNumber, leaf, fc.constant(undefined)),
  backer_count: mostly(fc.nat({ max: 10_000 }), hostileNumber, leaf),
  challenge_count: mostly(fc.nat({ max: 100 }), hostileNumber, leaf),
  created_at: mostly(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), leaf, fc.constant(undefined)),
  extra: mostly(fc.constant(undefined), json, deep),
}, { requiredKeys: [] });

/** A transport whose every answer is the next generated one. */
function fakeTransport(answers: HttpResult[], streams: HttpStream[] = []): HttpTransport {
  return {
    call: async () => {
      const a = answers.shift();
      if (!a) throw new Error('fuzz: no answer left');
      return a;
    },
    stream: async () => {
      const s = streams.shift();
      if (!s) throw new Error('fuzz: no stream left');
      return s;
    },
    close: async () => undefined,
  } as unknown as HttpTransport;
}

const answer = (body: fc.Arbitrary<unknown>) => fc.record({
  status: fc.oneof(fc.constant(200), fc.constant(200), fc.constantFrom(201, 204, 301, 400, 401, 403, 404, 429, 500, 502, 503, 504, 999)),
  headers: fc.oneof(fc.constant({}), fc.record({ 'retry-after': fc.oneof(hostileString, fc.nat().map(String)), 'x-ratelimit-remaining': fc.nat().map(String) })),
  body,
  isJson: fc.boolean(),
}).map((a) => ({ ...a, isJson: a.isJson && typeof a.body !== 'string' }) as HttpResult);

// ---- the targets -----------------------------------------------------------------------------------------------

describe('fuzz: hostile inputs never crash the agent', () => {
  it('feed items: parsed, bounded, and what is kept is stored (>= 10,000 items)', async () => {
    const store = SqliteStore.open(':memory:');
    let items = 0;
    let tick = 0;
    await fc.assert(fc.asyncProperty(fc.array(feedItem, { minLength: 34, maxLength: 60 }) /* 300 runs: at least 10,200 items */, async (raw) => {
      items += raw.length;
      const body = JSON.parse(JSON.stringify({ narratives: raw })) as unknown; // as it arrives: JSON
      const feed = parseFeed(body)!;
      // counted by the first problem named (an item often has several)
      for (const d of feed.dropped) count('feed items', `dropped: ${d.reason.split(';')[0]!.replace(/-?\d[\d.e+-]*/g, 'N').replace(/\(got [^)]*\)/g, '(got …)').slice(0, 90)}`);
      count('feed items', 'accepted', feed.narratives.length);
      const at = new Date(T0 + ++tick * 1000).toISOString();
      // never fatal: whatever the feed held, what parseFeed kept can be stored
      await outcome('feed items (store)', () => store.recordFeed(store.beginTick(at), at, feed.narratives));
    }), { numRuns: 300 });
    store.close();
    count('feed items', 'generated', items);
    expect(items).toBeGreaterThanOrEqual(10_000);
  });

  it('MAGMA API answers', async () => {
    const clock = new ManualClock(T0);
    await fc.assert(fc.asyncProperty(fc.array(answer(fc.oneof(json, fc.record({ narratives: fc.array(feedItem, { maxLength: 5 }), positions: fc.array(json, { maxLength: 3 }), agent: json, accepted: leaf, operational: leaf }, { requiredKeys: [] }))), { minLength: 3, maxLength: 3 }), fc.constantFrom('feed', 'portfolio', 'history', 'systemStatus', 'termsStatus', 'leaderboard', 'conviction', 'points', 'walletFlag', 'echoPoolPreview', 'pointsLeaderboard'), async (answers, method) => {
      const api = new HttpMagmaApi({ transport: fakeTransport(answers), apiKey: () => 'fuzz-key-0123456789', now: () => clock.now() });
      const call = api[method as 'feed'].bind(api) as (arg?: unknown) => Promise<unknown>;
      await outcome(`MAGMA ${method}`, () => (['termsStatus', 'conviction', 'points', 'walletFlag', 'echoPoolPreview'].includes(method) ? call('11111111111111111111111111111111') : call()));
    }), { numRuns: RUNS.magma });
  });

  it('Solana RPC answers', async () => {
    const rpcBody = fc.oneof(json, fc.record({ jsonrpc: fc.constant('2.0'), id: fc.nat(), result: fc.oneof(json, fc.record({ value: fc.oneof(json, hostileNumber, fc.array(fc.oneof(fc.constant(null), json), { maxLength: 2 }), fc.record({ blockhash: leaf, lastValidBlockHeight: hostileNumber })) })), error: fc.oneof(fc.constant(undefined), json, fc.record({ code: hostileNumber, message: hostileString })) }, { requiredKeys: [] }));
    await fc.assert(fc.asyncProperty(answer(rpcBody), fc.constantFrom('getBalance', 'getBlockHeight', 'getLatestBlockhash', 'sendTransaction', 'getSignatureStatuses'), async (a, method) => {
      const chain = new RpcChain({ transport: fakeTransport([a, a, a]), commitment: 'confirmed' });
      await outcome(`RPC ${method}`, (): Promise<unknown> => {
        if (method === 'getBalance') return chain.getBalance('11111111111111111111111111111111');
        if (method === 'getBlockHeight') return chain.getBlockHeight();
        if (method === 'getLatestBlockhash') return chain.getLatestBlockhash();
        if (method === 'sendTransaction') return chain.sendTransaction(new Uint8Array([1, 2, 3]));
        return chain.getSignatureStatuses(['sig1', 'sig2']);
      }, (v) => (typeof v === 'bigint' ? v >= 0n : true));
    }), { numRuns: RUNS.rpc });
  });

  it('Magus SSE streams', async () => {
    const event = fc.oneof(
      fc.record({ event: fc.constantFrom('session.created', 'message.started', 'text.chunk', 'message.completed', 'error', 'thinking.chunk', 'tool.started', 'sim.other'), delta: fc.oneof(hostileString, leaf), session_id: leaf, message_id: leaf, code: leaf, message: leaf, usage: fc.oneof(json, fc.record({ prompt_tokens: hostileNumber, completion_tokens: hostileNumber })) }, { requiredKeys: ['event'] }).map((e) => `data: ${JSON.stringify(e)}`),
      fc.constantFrom('data: [DONE]', '', ': keep-alive', 'event: x', 'id: 7', 'retry: 10', 'data: {"a":[1,', 'data:', 'data: }'),
      fc.string({ maxLength: 30 }),
    );
    const stream = fc.tuple(fc.array(event, { maxLength: 30 }), fc.constantFrom('\n', '\r\n', '\r'), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 8 }));
    const usage = { recordMagusCall: (_: MagusCallRecord) => undefined, magusCreditsOn: () => 0 };
    await fc.assert(fc.asyncProperty(stream, fc.constantFrom(200, 200, 200, 401, 500), async ([lines, eol, sizes], status) => {
      const bytes = new TextEncoder().encode(lines.join(eol) + eol);
      async function* chunks() {
        for (let at = 0, k = 0; at < bytes.length; k++) {
          const n = sizes[k % sizes.length]!;
          yield bytes.subarray(at, at + n);
          at += n;
        }
      }
      const text = async () => new TextDecoder().decode(bytes);
      const transport = fakeTransport([], [{ status, headers: { 'content-type': 'text/event-stream' }, chunks: chunks(), text }]);
      const client = new MagusClient({ transport, apiKey: 'magus_sk_fuzz0123456789', usage, dailyCreditCap: 1e9, clock: new ManualClock(T0) });
      await outcome('Magus SSE', () => client.ask({ content: 'judge' }), (r) => typeof r.content === 'string' && Number.isFinite(r.credits));
    }), { numRuns: RUNS.magus });
  });

  it('price answers (CoinGecko, Pyth, simulator)', async () => {
    const priceBody = fc.oneof(json,
      fc.record({ solana: fc.record({ usd: fc.oneof(hostileNumber, leaf) }) }),
      fc.record({ prices: fc.oneof(json, fc.array(fc.oneof(fc.tuple(hostileNumber, hostileNumber), json), { maxLength: 5 }), fc.record({ SOL: fc.oneof(hostileNumber, leaf) })) }),
      fc.record({ parsed: fc.array(fc.record({ id: fc.oneof(fc.constantFrom('ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d', '0xef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d'), leaf), price: fc.record({ price: fc.oneof(hostileString, fc.integer().map(String)), expo: fc.oneof(hostileNumber, leaf), publish_time: fc.oneof(hostileNumber, leaf) }, { requiredKeys: [] }) }), { maxLength: 2 }) }));
    await fc.assert(fc.asyncProperty(answer(priceBody), fc.constantFrom('coingecko price', 'coingecko history', 'pyth price', 'sim price', 'sim history'), async (a, which) => {
      const t = fakeTransport([a, a, a]);
      const saneNumber = (p: unknown) => typeof p === 'number' && Number.isFinite(p) && p > 0;
      const sane = (v: number | Array<{ t: number; price: number }>) => (Array.isArray(v) ? v.every((p) => Number.isFinite(p.t) && saneNumber(p.price)) : saneNumber(v));
      await outcome(`prices ${which}`, (): Promise<number | Array<{ t: number; price: number }>> => {
        if (which === 'coingecko price') return new CoinGeckoPriceSource(t, null, () => T0).getPrice('SOL');
        if (which === 'coingecko history') return new CoinGeckoPriceSource(t, null, () => T0).getHistory('SOL', T0 - 86_400_000);
        if (which === 'pyth price') return new PythPriceSource(t, null).getPrice('SOL');
        if (which === 'sim price') return new SimPriceSource(t).getPrice('SOL');
        return new SimPriceSource(t).getHistory('SOL', 0);
      }, sane);
    }), { numRuns: RUNS.prices });
  });

  it('config files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-fuzz-config-'));
    const file = join(dir, 'config.json');
    // A plausible file (each key's value drawn from good ones and edge values), then most often one hostile change at
    // one place: a key's value replaced, an unknown key added or a whole section replaced. So a share of files loads,
    // and each check is reached alone, not only behind the first problem of a file that is wrong everywhere.
    const seconds = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 2, max: 3_600 }) }, fc.constantFrom(2_147_483, 2_147_484, 1e12, -5, 0.5, 0));
    const sol = fc.oneof({ weight: 4, arbitrary: fc.double({ min: 0.001, max: 10, noNaN: true }) }, fc.constantFrom(9_223_372_036, 9.3e9, 1e300, -1, 0));
    const fields: Record<string, Record<string, fc.Arbitrary<unknown>>> = {
      poll: { intervalSeconds: seconds, jitterSeconds: seconds, minGapSeconds: seconds, cron: fc.constantFrom(null, null, '*/2 * * * *', '0 0 29 2 *', '* * *') },
      risk: { maxDailySol: sol, maxStakeSol: sol, minStakeSol: sol, maxExposureSol: sol, kellyFraction: fc.double({ min: 0, max: 1, noNaN: true }), minBalanceSol: sol },
      metrics: { enabled: fc.boolean(), bind: fc.constantFrom('127.0.0.1', '::1', '0.0.0.0', 'localhost', 'example.com'), port: fc.integer({ min: 0, max: 65_535 }) },
      webhook: { enabled: fc.constant(false), bind: fc.constantFrom('127.0.0.1', '0.0.0.0'), port: fc.integer({ min: 0, max: 65_535 }), publicUrl: fc.constantFrom(null, 'https://example.com/hook') },
      api: { url: fc.constantFrom('http://127.0.0.1:8080', 'https://magma.example'), timeoutMs: fc.integer({ min: 100, max: 120_000 }), tier: fc.constantFrom('free', 'pro', 'enterprise') },
      store: { retainDays: fc.integer({ min: 3, max: 36_500 }), historyHours: fc.integer({ min: 1, max: 720 }) },
    };
    const strategy = fc.record({ name: fc.constantFrom('crowd', 'price-threshold'), weight: fc.double({ min: 0, max: 10, noNaN: true }), timeoutMs: fc.integer({ min: 10, max: 300_000 }) }, { requiredKeys: ['name'] });
    const plausible = fc.record({
      ...Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, fc.record(f, { requiredKeys: [] })])),
      strategies: fc.uniqueArray(strategy, { minLength: 1, maxLength: 2, selector: (e) => e.name }),
    }, { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>;
    const change = fc.record({
      section: fc.constantFrom(...Object.keys(fields), 'strategies', 'other'),
      key: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...Object.values(fields).flatMap((f) => Object.keys(f)), 'weight', 'timeoutMs', 'memoryMb', 'options', 'path') }, hostileString, fc.constant(null)),
      value: fc.oneof(leaf, json, hostileNumber.map(String)),
    });
    const config = fc.tuple(plausible, fc.option(change, { freq: 4 })).map(([c, ch]) => {
      if (!ch) return c;
      const where = ch.section === 'strategies' ? (c.strategies as Record<string, unknown>[] | undefined)?.[0] : (c[ch.section] ??= {});
      if (ch.key === null || !where || typeof where !== 'object') c[ch.section] = ch.value;
      else (where as Record<string, unknown>)[ch.key] = ch.value;
      return c;
    });
    const proto = fc.constantFrom('', '"__proto__": {"polluted": true}, ', '"constructor": {"prototype": {"polluted": 1}}, ');
    // the environment beside the file: numbers as text, most of them not numbers a timer or the schema takes
    const envText = fc.oneof(hostileString, hostileNumber.map(String), fc.constantFrom('30', ' 30 ', '0x10', '1e300', '-5', 'Infinity', 'true', ''));
    const env = mostly(fc.constant({}), fc.dictionary(fc.constantFrom(...ENV_KEYS.map(([variable]) => variable)), envText, { maxKeys: 2 })) as fc.Arbitrary<Record<string, string>>;
    await fc.assert(fc.asyncProperty(config, proto, env, async (c, injected, vars) => {
      const text = JSON.stringify(c).replace(/^\{/, `{${injected}`).replace(/, \}$/, '}').replace(/\{(.*), \}$/, '{$1}');
      writeFileSync(file, text);
      // accepted: every duration fits a timer, and every amount converts to lamports
      await outcome('config files', () => loadConfig({ env: vars, configFile: file }), ({ config: c }) =>
        [c.poll.intervalSeconds, c.poll.jitterSeconds, c.poll.minGapSeconds, c.prices.maxAgeSeconds].every((sec) => sec * 1000 <= MAX_TIMER_MS) && riskLimits(c.risk).maxDaily >= 0n);
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    }), { numRuns: RUNS.config });
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it('recording lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-fuzz-rec-'));
    const file = join(dir, 'rec.jsonl');
    // mostly poll and price lines (in or out of time order), sometimes anything
    const line = fc.oneof(
      { weight: 4, arbitrary: fc.record({ t: mostly(fc.date({ min: new Date('2026-01-01'), max: new Date('2026-12-31'), noInvalidDate: true }).map((d) => d.toISOString()), leaf), narratives: mostly(fc.array(feedItem, { maxLength: 5 }), leaf) }).map((v) => JSON.stringify(v)) },
      { weight: 2, arbitrary: fc.record({ t: mostly(fc.date({ min: new Date('2026-01-01'), max: new Date('2026-12-31'), noInvalidDate: true }).map((d) => d.toISOString()), leaf), prices: fc.oneof(fc.record({ SOL: hostileNumber, BTC: leaf }), json) }).map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: json.map((v) => JSON.stringify(v) ?? 'undefined') },
      { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    );
    await fc.assert(fc.asyncProperty(fc.array(line, { minLength: 30, maxLength: 60 }) /* 300 runs: at least 10,000 lines */, async (lines) => {
      writeFileSync(file, lines.join('\n'));
      count('recording lines', 'generated', lines.length);
      let polls = 0;
      await outcome('recording files', async () => {
        const stats = await readRecording(file, async (poll) => {
          polls++;
          const feed = parseFeed({ narratives: poll.narratives });
          count('recording polls', feed ? `parsed: ${feed.narratives.length ? 'with' : 'without'} narratives` : 'rejected: no narratives list');
        }, () => undefined);
        count('recording lines', 'unreadable', stats.badLines);
        count('recording lines', 'out of order (skipped, counted)', stats.outOfOrder);
        count('recording lines', 'too long', stats.tooLong);
        count('recording lines', 'polls', stats.polls);
        count('recording lines', 'price lines', stats.priceLines);
        return stats;
      }, (s) => s.polls === polls);
    }), { numRuns: 300 });
    rmSync(dir, { recursive: true, force: true });
    expect(counts.get('recording lines')!.get('generated')).toBeGreaterThanOrEqual(10_000);
  });
});

afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  const lines = ['fuzz: counts per target (accepted, and each rejection with its reason)'];
  for (const [target, m] of [...counts].sort()) {
    const total = [...m].filter(([k]) => k !== 'generated').reduce((s, [, n]) => s + n, 0);
    lines.push(`  ${target}: ${total}${m.has('generated') ? ` (${m.get('generated')} generated)` : ''}`);
    const rows = [...m].filter(([k]) => k !== 'generated').sort((a, b) => b[1] - a[1]);
    for (const [k, n] of rows.slice(0, 15)) lines.push(`    ${String(n).padStart(6)}  ${k}`);
    if (rows.length > 15) lines.push(`    ${String(rows.slice(15).reduce((s, [, n]) => s + n, 0)).padStart(6)}  … ${rows.length - 15} rarer reasons`);
  }
  const sum = (prefix: string) => [...counts].filter(([t]) => t.startsWith(prefix)).reduce((s, [, m]) => s + [...m].filter(([k]) => k !== 'generated').reduce((a, [, n]) => a + n, 0), 0);
  const generated = {
    'feed items': counts.get('feed items')?.get('generated') ?? 0,
    'API answers': sum('MAGMA ') + sum('RPC ') + sum('Magus SSE') + sum('prices '),
    'config files': sum('config files'),
    'recording lines': counts.get('recording lines')?.get('generated') ?? 0,
  };
  lines.push(`  generated this run: ${Object.entries(generated).map(([k, n]) => `${k} ${n}`).join(', ')}; total ${Object.values(generated).reduce((a, b) => a + b, 0)}`);
  lines.push(`  unhandled rejections: ${unhandled.length}`);
  console.log(lines.join('\n'));
  expect(unhandled).toEqual([]);
  // the whole suite ran (a filtered run, -t, counts only what it ran)
  if (counts.size > 20) for (const n of Object.values(generated)) expect(n).toBeGreaterThanOrEqual(10_000);
});
