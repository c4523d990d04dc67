import { Keypair } from '@solana/web3.js';
import { afterEach, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../src/sim/scenarios.js';
import { DEVNET_BACKING_PROGRAM_ID } from '../../src/sim/simulator.js';
import { backingTx, http, openNarrative, register, rpc, startSim, type TestSim } from './helpers.js';

let t: TestSim | null = null;
afterEach(async () => {
  await t?.sim.stop();
  t = null;
});

async function withSim(seed = 31): Promise<{ t: TestSim; key: string; wallet: Keypair }> {
  t = await startSim({ seed });
  const wallet = Keypair.generate();
  const key = await register(t.base, wallet);
  return { t, key, wallet };
}

const faults = (base: string, body: unknown) => http(base, 'POST', '/__sim/faults', body);

describe('faults on demand', () => {
  it('answers N next requests of a family with 5xx, then recovers', async () => {
    const { t, key } = await withSim();
    await faults(t.base, { burst: { family: 'feed', kind: 'error', count: 2, status: 500 } });
    const h = { 'x-api-key': key };
    expect((await http(t.base, 'GET', '/v1/agent/feed', undefined, h)).status).toBe(500);
    expect((await http(t.base, 'GET', '/v1/system/status')).status).toBe(200); // other families untouched
    expect((await http(t.base, 'GET', '/v1/agent/feed', undefined, h)).status).toBe(500);
    expect((await http(t.base, 'GET', '/v1/agent/feed', undefined, h)).status).toBe(200);
  });

  it('serves an HTML error page instead of JSON', async () => {
    const { t } = await withSim();
    await faults(t.base, { burst: { family: 'public', kind: 'html', count: 1 } });
    const r = await http(t.base, 'GET', '/v1/system/status');
    expect(r.status).toBe(502);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(r.text).toMatch(/^<!DOCTYPE html>/);
  });

  it('storms 429s with retry-after in both documented shapes', async () => {
    const { t, key } = await withSim();
    await faults(t.base, { burst: [{ family: 'feed', kind: 'rate-limit', count: 1 }, { family: 'public', kind: 'rate-limit', count: 1 }] });
    const feed = await http(t.base, 'GET', '/v1/agent/feed', undefined, { 'x-api-key': key });
    expect(feed.status).toBe(429);
    expect(feed.headers.get('retry-after')).toBe('30');
    expect(feed.body).toMatchObject({ statusCode: 429, retryAfter: 30 });
    const pub = await http(t.base, 'GET', '/v1/system/status');
    expect(pub.body).toMatchObject({ error: expect.any(String), tier: 'free', limit: 60, retry_after: '30s' });
  });

  it('resets connections and leaves responses hanging', async () => {
    const { t, key } = await withSim();
    await faults(t.base, { burst: [{ family: 'feed', kind: 'reset', count: 1 }, { family: 'public', kind: 'hang', count: 1 }] });
    await expect(fetch(`${t.base}/v1/agent/feed`, { headers: { 'x-api-key': key } })).rejects.toThrow();
    await expect(fetch(`${t.base}/v1/system/status`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect((await http(t.base, 'GET', '/v1/system/status')).status).toBe(200);
  });

  it('adds malformed items to the feed: unknown/missing fields, wrong types, duplicates, huge strings', async () => {
    const { t, key } = await withSim();
    await faults(t.base, { malformedFeed: 1 });
    const r = await http(t.base, 'GET', '/v1/agent/feed', undefined, { 'x-api-key': key });
    const items = r.body.narratives as any[];
    expect(items).toContain('not an object');
    expect(items.some((i) => i && typeof i === 'object' && i.title === undefined && i.id)).toBe(true);
    expect(items.some((i) => i && i.total_backed_sol === 'lots')).toBe(true);
    expect(items.some((i) => i && typeof i.title === 'string' && i.title.length >= 200_000)).toBe(true);
    const ids = items.filter((i) => i && typeof i.id === 'string').map((i) => i.id);
    expect(new Set(ids).size).toBeLessThan(ids.length);
    const next = await http(t.base, 'GET', '/v1/agent/feed', undefined, { 'x-api-key': key });
    expect((next.body.narratives as any[]).every((i) => i && typeof i.title === 'string' && i.title.length < 1000)).toBe(true);
  });

  it('drops a transaction that then never confirms and moves nothing', async () => {
    const { t, key, wallet } = await withSim();
    await faults(t.base, { dropTransactions: 1 });
    const n = await openNarrative(t.base, key);
    const before = (await rpc(t.base, 'getBalance', [wallet.publicKey.toBase58(), { commitment: 'processed' }])).result.value;
    const bh = (await rpc(t.base, 'getLatestBlockhash')).result.value.blockhash;
    const sent = await rpc(t.base, 'sendTransaction', [backingTx({ programId: DEVNET_BACKING_PROGRAM_ID, narrativeId: n.id, backer: wallet, lamports: 10_000_000n, blockhash: bh, nowMs: t.clock.now() }), { encoding: 'base64' }]);
    expect(typeof sent.result).toBe('string');
    t.clock.advance(200 * 400);
    expect((await rpc(t.base, 'getSignatureStatuses', [[sent.result]])).result.value).toEqual([null]);
    expect((await rpc(t.base, 'getBalance', [wallet.publicKey.toBase58(), { commitment: 'processed' }])).result.value).toBe(before);
    expect((await http(t.base, 'GET', '/__sim/ledger')).body.dropped).toEqual([sent.result]);
  });

  it('expires blockhashes early and takes the RPC down until cleared', async () => {
    const { t, key, wallet } = await withSim();
    await faults(t.base, { blockhashTtl: 5 });
    const n = await openNarrative(t.base, key);
    const bh = (await rpc(t.base, 'getLatestBlockhash')).result.value;
    expect(bh.lastValidBlockHeight).toBe((await rpc(t.base, 'getBlockHeight')).result + 5);
    t.clock.advance(6 * 400);
    const sent = await rpc(t.base, 'sendTransaction', [backingTx({ programId: DEVNET_BACKING_PROGRAM_ID, narrativeId: n.id, backer: wallet, lamports: 10_000_000n, blockhash: bh.blockhash, nowMs: t.clock.now() }), { encoding: 'base64' }]);
    expect(sent.error?.message).toBe('Transaction simulation failed: Blockhash not found');

    await faults(t.base, { burst: { family: 'rpc', kind: 'error', count: -1, status: 503 } });
    for (let i = 0; i < 3; i++) expect((await http(t.base, 'POST', '/rpc', { jsonrpc: '2.0', id: 1, method: 'getBlockHeight' })).status).toBe(503);
    await faults(t.base, { clearBursts: true });
    expect((await http(t.base, 'POST', '/rpc', { jsonrpc: '2.0', id: 1, method: 'getBlockHeight' })).status).toBe(200);
  });

  it('reports terms not accepted and refuses writes for that wallet', async () => {
    const { t, key, wallet } = await withSim();
    const w = wallet.publicKey.toBase58();
    await faults(t.base, { termsRejected: [w], flagged: ['*'] });
    expect((await http(t.base, 'GET', `/v1/terms/status/${w}`)).body).toMatchObject({ accepted: false });
    expect((await http(t.base, 'GET', `/v1/admin/flag/check/${w}`)).body).toMatchObject({ flagged: true, blocked: false });
    const n = await openNarrative(t.base, key);
    const r = await http(t.base, 'POST', '/v1/agent/resolve', { narrative_id: n.id, resolution: 'true', evidence: 'x', confidence: 0.9 }, { 'x-api-key': key });
    expect(r.status).toBe(403);
    await faults(t.base, { reset: true });
    expect((await http(t.base, 'GET', `/v1/terms/status/${w}`)).body).toMatchObject({ accepted: true });
  });

  it('rejects a malformed faults body', async () => {
    const { t } = await withSim();
    expect((await faults(t.base, { burst: { family: 'nope', kind: 'error', count: 1 } })).status).toBe(400);
  });

  it('arms every named scenario through the same fault code', async () => {
    const { t } = await withSim();
    for (const [name, s] of Object.entries(SCENARIOS)) {
      expect(() => s.apply(t.sim.state), name).not.toThrow();
    }
    const f = (await http(t.base, 'GET', '/__sim/faults')).body;
    expect(f.halted).toEqual(expect.arrayContaining(['backing', 'oracle', 'all']));
    expect(f.blockhash_ttl).toBe(10);
    expect(f.bursts.length).toBeGreaterThan(5);
  });
});
