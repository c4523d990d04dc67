import { Keypair } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVNET_BACKING_PROGRAM_ID } from '../../src/sim/simulator.js';
import { backingTx, http, openNarrative, register, rpc, startSim, type TestSim } from './helpers.js';

let t: TestSim;
let key: string;
const wallet = Keypair.generate();
const W = wallet.publicKey.toBase58();

beforeAll(async () => {
  t = await startSim({ seed: 21 });
  key = await register(t.base, wallet, 'alpha-bot');
});
afterAll(() => t.sim.stop());

const auth = () => ({ 'x-api-key': key });

async function backAndConfirm(narrativeId: string, lamports: bigint): Promise<string> {
  const bh = (await rpc(t.base, 'getLatestBlockhash')).result.value.blockhash;
  const sent = await rpc(t.base, 'sendTransaction', [backingTx({ programId: DEVNET_BACKING_PROGRAM_ID, narrativeId, backer: wallet, lamports, blockhash: bh, nowMs: t.clock.now() }), { encoding: 'base64' }]);
  expect(sent.error).toBeUndefined();
  return sent.result;
}

describe('backing report and positions', () => {
  it('refuses a report before confirmation, acknowledges it after, idempotently, and lists the position', async () => {
    const n = await openNarrative(t.base, key);
    const sig = await backAndConfirm(n.id, 500_000_000n);
    const report = { wallet_address: W, amount_sol: 0.5, amount_skr: 0, tx_signature: sig, token_type: 'SOL' };

    const early = await http(t.base, 'POST', `/v1/narratives/${n.id}/back`, report);
    expect(early.status).toBe(400);
    expect(early.body).toMatchObject({ error: expect.any(String), message: expect.stringMatching(/not yet confirmed/) });

    t.clock.advance(3 * 400);
    const wrongAmount = await http(t.base, 'POST', `/v1/narratives/${n.id}/back`, { ...report, amount_sol: 0.6 });
    expect(wrongAmount.status).toBe(400);
    const wrongWallet = await http(t.base, 'POST', `/v1/narratives/${n.id}/back`, { ...report, wallet_address: Keypair.generate().publicKey.toBase58() });
    expect(wrongWallet.status).toBe(400);

    const ok = await http(t.base, 'POST', `/v1/narratives/${n.id}/back`, report);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, backing: { narrative_id: n.id, tx_signature: sig, amount_sol: 0.5 } });
    expect(ok.headers.get('x-ratelimit-limit')).toBe('10');
    t.clock.advance(60_000);
    const again = await http(t.base, 'POST', `/v1/narratives/${n.id}/back`, report);
    expect(again.status).toBe(200);
    expect(again.text).toBe(ok.text);

    const feedAfter = (await http(t.base, 'GET', '/v1/agent/feed', undefined, auth())).body.narratives.find((x: any) => x.id === n.id);
    expect(feedAfter.backer_count).toBeGreaterThanOrEqual(n.backer_count + 1);
    expect(feedAfter.total_backed_sol).toBeGreaterThanOrEqual(n.total_backed_sol + 0.5 - 1e-9);

    const portfolio = await http(t.base, 'GET', '/v1/agent/portfolio', undefined, auth());
    expect(portfolio.status).toBe(200);
    expect(portfolio.body.wallet_address).toBe(W);
    expect(portfolio.body.positions[0]).toMatchObject({
      narrative_id: n.id, amount_sol: 0.5, usd_equivalent: expect.any(Number), yield_type: expect.stringMatching(/kamino|marinade|save/),
      created_at: expect.any(String), narratives: { title: expect.any(String), oracle_status: expect.stringMatching(/open|live|pending/) },
    });
    const history = await http(t.base, 'GET', '/v1/agent/history', undefined, auth());
    expect(history.body.positions.map((p: any) => p.narrative_id)).toContain(n.id);
    expect((await http(t.base, 'GET', '/v1/agent/portfolio')).status).toBe(401);

    const points = await http(t.base, 'GET', `/v1/points/${W}`);
    expect(points.body).toMatchObject({ wallet_address: W, total_points: 5, history: [{ points: 5, reason: 'backing' }] });
    const board = await http(t.base, 'GET', '/v1/points/leaderboard');
    expect(board.body.leaderboard[0]).toMatchObject({ wallet_address: W, total_points: 5 });
    const lb = await http(t.base, 'GET', '/v1/agent/leaderboard');
    expect(lb.body.leaderboard[0]).toMatchObject({ name: 'alpha-bot', wallet_address: W, total_backings: 1, total_volume_sol: 0.5 });
  });

  it('refuses a report of an unknown signature and a report while backing is halted', async () => {
    const n = await openNarrative(t.base, key);
    const unknown = await http(t.base, 'POST', `/v1/narratives/${n.id}/back`, { wallet_address: W, amount_sol: 1, amount_skr: 0, tx_signature: '5'.repeat(88), token_type: 'SOL' });
    expect(unknown.status).toBe(400);
    await http(t.base, 'POST', '/__sim/faults', { halted: ['backing'] });
    const halted = await http(t.base, 'POST', `/v1/narratives/${n.id}/back`, { wallet_address: W, amount_sol: 1, amount_skr: 0, tx_signature: '5'.repeat(88), token_type: 'SOL' });
    expect(halted.status).toBe(503);
    await http(t.base, 'POST', '/__sim/faults', { halted: [] });
  });
});

describe('resolve, conviction, echo pool, flags, webhook', () => {
  it('validates verdicts: low confidence 400, unknown 404, evidence truncated, ok resolves the narrative', async () => {
    const n = await openNarrative(t.base, key);
    const low = await http(t.base, 'POST', '/v1/agent/resolve', { narrative_id: n.id, resolution: 'true', evidence: 'x', confidence: 0.69 }, auth());
    expect(low.status).toBe(400);
    const unknown = await http(t.base, 'POST', '/v1/agent/resolve', { narrative_id: '00000000-0000-4000-8000-000000000000', resolution: 'true', evidence: 'x', confidence: 0.9 }, auth());
    expect(unknown.status).toBe(404);
    const ok = await http(t.base, 'POST', '/v1/agent/resolve', { narrative_id: n.id, resolution: 'false', evidence: 'e'.repeat(5000), confidence: 0.9 }, auth());
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, narrative_id: n.id, resolution: 'resolved_false', message: expect.any(String) });
    expect(t.sim.state.resolutions.at(-1)!.evidence.length).toBe(1000);
    const twice = await http(t.base, 'POST', '/v1/agent/resolve', { narrative_id: n.id, resolution: 'false', evidence: 'x', confidence: 0.9 }, auth());
    expect(twice.status).toBe(404);
  });

  it('serves conviction, the echo-pool preview at both paths and the wallet flag check', async () => {
    const c = await http(t.base, 'GET', `/v1/conviction/${W}`);
    expect(c.body).toMatchObject({
      conviction_score: expect.any(Number), conviction_tier: expect.any(String), yield_multiplier: expect.any(Number),
      correct_backings: expect.any(Number), incorrect_backings: expect.any(Number), accuracy_rate: expect.any(Number), current_streak: expect.any(Number),
    });
    const a = await http(t.base, 'GET', `/v1/conviction/echo-pool/preview/${W}`);
    const b = await http(t.base, 'GET', `/v1/echo-pool/preview/${W}`);
    expect(a.status).toBe(200);
    expect(b.body).toEqual(a.body);
    expect(a.body).toMatchObject({ wallet_address: W, epoch_start: expect.any(String), active: expect.any(Boolean) });

    expect((await http(t.base, 'GET', `/v1/admin/flag/check/${W}`)).body).toEqual({ wallet_address: W, flagged: false, blocked: false, flag_type: null, reason: null });
    await http(t.base, 'POST', '/__sim/faults', { blocked: [W] });
    expect((await http(t.base, 'GET', `/v1/admin/flag/check/${W}`)).body).toMatchObject({ flagged: true, blocked: true });
    const n = await openNarrative(t.base, key);
    const refused = await http(t.base, 'POST', '/v1/agent/resolve', { narrative_id: n.id, resolution: 'true', evidence: 'x', confidence: 0.9 }, auth());
    expect(refused.status).toBe(403);
    await http(t.base, 'POST', '/__sim/faults', { blocked: [] });
  });

  it('registers a webhook', async () => {
    const r = await http(t.base, 'POST', '/v1/agent/webhook', { url: 'http://127.0.0.1:9/hook', events: ['narrative.created', 'narrative.resolved'] }, auth());
    expect(r.body).toEqual({ ok: true, message: 'Webhook registered', url: 'http://127.0.0.1:9/hook', events: ['narrative.created', 'narrative.resolved'] });
    expect((await http(t.base, 'POST', '/v1/agent/webhook', { url: 'ftp://x', events: [] }, auth())).status).toBe(400);
  });
});

describe('history', () => {
  it('returns at most the 100 most recent backings, newest first', async () => {
    const s = await startSim({ seed: 22 });
    try {
      const w = Keypair.generate();
      const k = await register(s.base, w);
      const n = await openNarrative(s.base, k);
      const bh = (await rpc(s.base, 'getLatestBlockhash')).result.value.blockhash;
      for (let i = 0; i < 101; i++) {
        // Distinct amounts make distinct transactions (and signatures) under one blockhash.
        const sent = await rpc(s.base, 'sendTransaction', [backingTx({ programId: DEVNET_BACKING_PROGRAM_ID, narrativeId: n.id, backer: w, lamports: 1_000_000n + BigInt(i), blockhash: bh, nowMs: s.clock.now() }), { encoding: 'base64' }]);
        expect(sent.error).toBeUndefined();
      }
      s.clock.advance(1200);
      const h = await http(s.base, 'GET', '/v1/agent/history', undefined, { 'x-api-key': k });
      expect(h.body.positions).toHaveLength(100);
      expect(h.body.positions[0].amount_sol).toBeCloseTo(0.0010001, 9);
      expect(h.body.positions.at(-1).amount_sol).toBeCloseTo(0.001000001, 9);
    } finally {
      await s.sim.stop();
    }
  });
});

describe('rate limits', () => {
  it('limits register to 5 per hour per IP with the {error, tier, limit, retry_after} shape', async () => {
    const s = await startSim({ seed: 3 });
    try {
      for (let i = 0; i < 5; i++) expect((await http(s.base, 'POST', '/v1/agent/register', { wallet_address: Keypair.generate().publicKey.toBase58(), name: `b${i}` })).status).toBe(200);
      const r = await http(s.base, 'POST', '/v1/agent/register', { wallet_address: Keypair.generate().publicKey.toBase58(), name: 'b6' });
      expect(r.status).toBe(429);
      expect(r.body).toMatchObject({ error: expect.any(String), tier: 'free', limit: 5, retry_after: expect.stringMatching(/^\d+s$/) });
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
    } finally {
      await s.sim.stop();
    }
  });

  it('limits the feed per key by tier with the {statusCode, error, message, retryAfter} shape', async () => {
    const s = await startSim({ seed: 4, tier: 'free' });
    try {
      const k = await register(s.base, Keypair.generate());
      for (let i = 0; i < 60; i++) expect((await http(s.base, 'GET', '/v1/agent/feed', undefined, { 'x-api-key': k })).status).toBe(200);
      const r = await http(s.base, 'GET', '/v1/agent/feed', undefined, { 'x-api-key': k });
      expect(r.status).toBe(429);
      expect(r.body).toMatchObject({ statusCode: 429, error: expect.any(String), message: expect.any(String), retryAfter: expect.any(Number) });
      s.clock.advance(60_000);
      expect((await http(s.base, 'GET', '/v1/agent/feed', undefined, { 'x-api-key': k })).status).toBe(200);
    } finally {
      await s.sim.stop();
    }
  });
});
