import { describe, expect, it } from 'vitest';
import { MagmaError } from '../../../src/core/errors.js';
import { JSON_HEADERS, mockMagma } from '../../helpers/mock-magma.js';

const WALLET = '7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU';

describe('HttpMagmaApi routes (happy paths)', () => {
  it('sends the key on the feed and parses narratives, dropping a bad item with its reason', async () => {
    const { pool, api } = mockMagma();
    let seenKey: unknown;
    pool.intercept({ path: '/v1/agent/feed', method: 'GET' }).reply((opts) => {
      seenKey = (opts.headers as Record<string, string>)['x-api-key'];
      return {
        statusCode: 200, responseOptions: { headers: JSON_HEADERS },
        data: { ok: true, narratives: [
          { id: 'n1', title: 'SOL > 250', thesis: 't', category: 'MARKET', oracle_status: 'open', total_backed_sol: 1.5, backer_count: 2, challenge_count: 0, extra: 1 },
          { title: 'no id', oracle_status: 'open', total_backed_sol: 1 },
        ] },
      };
    });
    const feed = await api.feed();
    expect(seenKey).toBe('test-key-0123456789');
    expect(feed.narratives.map((n) => n.narrative.id)).toEqual(['n1']);
    expect(feed.narratives[0]!.narrative.totalBackedLamports).toBe(1_500_000_000n);
    expect(feed.dropped).toHaveLength(1);
    expect(api.droppedCounts().get('/v1/agent/feed')).toBe(1);
  });

  it('reads portfolio and history positions in lamports', async () => {
    const { pool, api } = mockMagma();
    const position = { id: 'p1', narrative_id: 'n1', amount_sol: 2.5, usd_equivalent: 375, yield_type: 'kamino', created_at: '2026-04-07T09:00:00Z', narratives: { title: 'T', oracle_status: 'open' } };
    pool.intercept({ path: '/v1/agent/portfolio' }).reply(200, { ok: true, wallet_address: WALLET, positions: [position, { id: 'bad', narrative_id: 'n2', amount_sol: 'lots' }] }, { headers: JSON_HEADERS });
    pool.intercept({ path: '/v1/agent/history' }).reply(200, { ok: true, wallet_address: WALLET, positions: [position] }, { headers: JSON_HEADERS });
    const p = await api.portfolio();
    expect(p.walletAddress).toBe(WALLET);
    expect(p.positions).toEqual([{ id: 'p1', narrativeId: 'n1', amountLamports: 2_500_000_000n, usdEquivalent: 375, yieldType: 'kamino', createdAt: '2026-04-07T09:00:00Z', narrativeTitle: 'T', oracleStatus: 'open' }]);
    expect(p.dropped[0]).toMatchObject({ index: 1, id: 'bad' });
    expect((await api.history()).positions).toHaveLength(1);
  });

  it('reads the leaderboard with negative PnL', async () => {
    const { pool, api } = mockMagma({ apiKey: null });
    pool.intercept({ path: '/v1/agent/leaderboard' }).reply(200, { ok: true, leaderboard: [
      { id: 'ag_1', name: 'alpha', wallet_address: WALLET, total_backings: 64, total_volume_sol: 410.2, total_pnl_sol: -38.7, created_at: '2026-03-01T00:00:00Z' },
    ] }, { headers: JSON_HEADERS });
    const l = await api.leaderboard();
    expect(l.leaderboard[0]).toMatchObject({ id: 'ag_1', totalBackings: 64, totalVolumeLamports: 410_200_000_000n, totalPnlLamports: -38_700_000_000n });
  });

  it('registers a webhook', async () => {
    const { pool, api } = mockMagma();
    let sent: unknown;
    pool.intercept({ path: '/v1/agent/webhook', method: 'POST' }).reply((opts) => {
      sent = JSON.parse(String(opts.body));
      return { statusCode: 200, data: { ok: true, message: 'Webhook registered', url: 'https://x.example/h', events: ['narrative.created'] }, responseOptions: { headers: JSON_HEADERS } };
    });
    const w = await api.registerWebhook('https://x.example/h', ['narrative.created']);
    expect(sent).toEqual({ url: 'https://x.example/h', events: ['narrative.created'] });
    expect(w).toEqual({ url: 'https://x.example/h', events: ['narrative.created'], message: 'Webhook registered' });
  });

  it('resolves with the documented body, evidence cut to 1,000 characters', async () => {
    const { pool, api } = mockMagma();
    let sent: Record<string, unknown> = {};
    pool.intercept({ path: '/v1/agent/resolve', method: 'POST' }).reply((opts) => {
      sent = JSON.parse(String(opts.body));
      return { statusCode: 200, data: { ok: true, narrative_id: 'n1', resolution: 'resolved_true', message: 'queued' }, responseOptions: { headers: JSON_HEADERS } };
    });
    const r = await api.resolve({ narrativeId: 'n1', resolution: true, evidence: 'x'.repeat(5000), confidence: 0.9 });
    expect(r).toEqual({ narrativeId: 'n1', resolution: 'resolved_true', message: 'queued' });
    expect(sent).toMatchObject({ narrative_id: 'n1', resolution: 'true', confidence: 0.9 });
    expect((sent.evidence as string).length).toBe(1000);
  });

  it('refuses to send a verdict below 0.7 confidence', async () => {
    const { api } = mockMagma();
    await expect(api.resolve({ narrativeId: 'n1', resolution: false, evidence: '', confidence: 0.6 })).rejects.toMatchObject({ code: 'API_BAD_REQUEST' });
  });

  it('turns a 404 on resolve into a skip of that narrative', async () => {
    const { pool, api } = mockMagma();
    pool.intercept({ path: '/v1/agent/resolve', method: 'POST' }).reply(404, { ok: false, error: 'Narrative not found' }, { headers: JSON_HEADERS });
    const err = await api.resolve({ narrativeId: 'n9', resolution: true, evidence: 'e', confidence: 0.8 }).catch((e: MagmaError) => e);
    expect(err).toMatchObject({ code: 'API_NOT_FOUND', consequence: 'skip', context: { narrativeId: 'n9' } });
  });

  it('reads conviction, points and the points leaderboard', async () => {
    const { pool, api } = mockMagma({ apiKey: null });
    pool.intercept({ path: `/v1/conviction/${WALLET}` }).reply(200, { conviction_score: 71.5, conviction_tier: 'ember', yield_multiplier: 1.2, correct_backings: 5, incorrect_backings: 2, accuracy_rate: 0.71, current_streak: 3 }, { headers: JSON_HEADERS });
    pool.intercept({ path: `/v1/points/${WALLET}` }).reply(200, { wallet_address: WALLET, total_points: 120, history: [{ points: 100, reason: 'backing', created_at: 'x' }, { points: 'NaN?' }] }, { headers: JSON_HEADERS });
    pool.intercept({ path: '/v1/points/leaderboard' }).reply(200, { leaderboard: [{ wallet_address: WALLET, total_points: 120 }] }, { headers: JSON_HEADERS });
    expect(await api.conviction(WALLET)).toEqual({ score: 71.5, tier: 'ember', yieldMultiplier: 1.2, correctBackings: 5, incorrectBackings: 2, accuracyRate: 0.71, currentStreak: 3 });
    const points = await api.points(WALLET);
    expect(points.totalPoints).toBe(120);
    expect(points.history).toEqual([{ points: 100, reason: 'backing', createdAt: 'x' }]);
    expect(points.dropped).toHaveLength(1);
    expect((await api.pointsLeaderboard()).leaderboard).toEqual([{ walletAddress: WALLET, totalPoints: 120, rank: 1 }]);
  });

  it('falls back to the older Echo Pool preview path on 404', async () => {
    const { pool, api } = mockMagma({ apiKey: null });
    pool.intercept({ path: `/v1/conviction/echo-pool/preview/${WALLET}` }).reply(404, { error: 'Not found' }, { headers: JSON_HEADERS });
    pool.intercept({ path: `/v1/echo-pool/preview/${WALLET}` }).reply(200, { epoch: 4, estimated_sol: 0.25, extra: true }, { headers: JSON_HEADERS });
    const p = await api.echoPoolPreview(WALLET);
    expect(p).toMatchObject({ path: '/v1/echo-pool/preview/:wallet', estimatedLamports: 250_000_000n, epoch: '4' });
  });

  it('uses the seed Echo Pool path when it answers', async () => {
    const { pool, api } = mockMagma({ apiKey: null });
    pool.intercept({ path: `/v1/conviction/echo-pool/preview/${WALLET}` }).reply(200, { something: 1 }, { headers: JSON_HEADERS });
    expect(await api.echoPoolPreview(WALLET)).toMatchObject({ path: '/v1/conviction/echo-pool/preview/:wallet', estimatedLamports: null });
  });

  it('checks a wallet flag', async () => {
    const { pool, api } = mockMagma({ apiKey: null });
    pool.intercept({ path: `/v1/admin/flag/check/${WALLET}` }).reply(200, { wallet_address: WALLET, flagged: true, blocked: true, flag_type: 'sybil', reason: 'r' }, { headers: JSON_HEADERS });
    expect(await api.walletFlag(WALLET)).toEqual({ walletAddress: WALLET, flagged: true, blocked: true, flagType: 'sybil', reason: 'r' });
  });

  it('reports a backing once with the documented body (never retried)', async () => {
    const { pool, api, calls } = mockMagma({ apiKey: null });
    let sent: unknown;
    let count = 0;
    pool.intercept({ path: '/v1/narratives/n1/back', method: 'POST' }).reply((opts) => {
      count++;
      sent = JSON.parse(String(opts.body));
      return { statusCode: 200, data: { ok: true, message: 'recorded' }, responseOptions: { headers: JSON_HEADERS } };
    });
    const r = await api.reportBacking({ narrativeId: 'n1', walletAddress: WALLET, amountLamports: 1_250_000_000n, txSignature: 'sig1' });
    expect(r).toEqual({ acknowledged: true, message: 'recorded' });
    expect(sent).toEqual({ wallet_address: WALLET, amount_sol: 1.25, amount_skr: 0, tx_signature: 'sig1', token_type: 'SOL' });
    expect(count).toBe(1);
    expect(calls[0]).toMatchObject({ family: 'backing', route: '/v1/narratives/:id/back', status: 200 });

    pool.intercept({ path: '/v1/narratives/n1/back', method: 'POST' }).reply(502, 'bad gateway');
    pool.intercept({ path: '/v1/narratives/n1/back', method: 'POST' }).reply(200, { ok: true });
    await expect(api.reportBacking({ narrativeId: 'n1', walletAddress: WALLET, amountLamports: 1n, txSignature: 'sig2' })).rejects.toMatchObject({ code: 'API_UNAVAILABLE' });
  });

  it('retries a read on 5xx and records every attempt', async () => {
    const { pool, api, calls } = mockMagma({ apiKey: null });
    pool.intercept({ path: '/v1/system/status' }).reply(500, 'oops');
    pool.intercept({ path: '/v1/system/status' }).reply(200, { operational: true, components: [{ component: 'backing', is_halted: true }] }, { headers: JSON_HEADERS });
    expect(await api.systemStatus()).toEqual({ operational: true, halted: ['backing'] });
    expect(calls.map((c) => c.status)).toEqual([500, 200]);
  });

  it('reads terms status', async () => {
    const { pool, api } = mockMagma({ apiKey: null });
    pool.intercept({ path: `/v1/terms/status/${WALLET}` }).reply(200, { accepted: true, latest: { terms_version: 3 } }, { headers: JSON_HEADERS });
    expect(await api.termsStatus(WALLET)).toEqual({ accepted: true, termsVersion: '3' });
  });
});

describe('HttpMagmaApi with a rate budget', () => {
  it('takes budget for every retry, and pauses the family after a 429 until retry-after', async () => {
    const { pool, api, calls, clock } = mockMagma({ budget: true });
    pool.intercept({ path: '/v1/agent/feed' }).reply(502, 'x');
    pool.intercept({ path: '/v1/agent/feed' }).reply(200, { narratives: [] }, { headers: JSON_HEADERS });
    await api.feed();
    expect(calls.map((c) => c.budgetRemaining)).toEqual([5, 4]);

    pool.intercept({ path: '/v1/agent/feed' }).reply(429, { retryAfter: 40 }, { headers: JSON_HEADERS });
    const t429 = Math.floor(clock.now());
    await expect(api.feed()).rejects.toMatchObject({ code: 'API_RATE_LIMITED' });
    pool.intercept({ path: '/v1/agent/feed' }).reply(200, { narratives: [] }, { headers: JSON_HEADERS });
    await api.feed();
    expect(Date.parse(calls.at(-1)!.at)).toBeGreaterThanOrEqual(t429 + 40_000);
  });

  it('fails a write fast while its family is paused, without sending it', async () => {
    const { pool, api, calls } = mockMagma({ budget: true });
    pool.intercept({ path: '/v1/narratives/n1/back', method: 'POST' }).reply(429, { error: 'x' }, { headers: { ...JSON_HEADERS, 'retry-after': '60' } });
    const report = { narrativeId: 'n1', walletAddress: WALLET, amountLamports: 1n, txSignature: 's' };
    await expect(api.reportBacking(report)).rejects.toMatchObject({ code: 'API_RATE_LIMITED' });
    await expect(api.reportBacking(report)).rejects.toMatchObject({ code: 'API_RATE_LIMITED', context: { write: true } });
    expect(calls).toHaveLength(1);
  });
});
