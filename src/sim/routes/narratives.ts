// Per-narrative public reads (PROTOCOL.md section 9), ~60/min per IP like every public read: the narrative
// (`GET /v1/narratives/:id`, flat or wrapped as {narrative}), its oracle result with the sources weighed
// (`GET /v1/oracle/:narrativeId`) and its backers (`GET /v1/narratives/:id/backers`); and the list
// (`GET /v1/narratives?status=active|resolved|pending&category=&limit≤100&offset=` → {data, total, limit, offset}),
// newest first (resolved: most recently resolved first), items as the per-narrative read shows them.
//
// Our design where MAGMA publishes nothing: a resolution stays open to challenges for `challengeWindowMinutes`
// (is_final false until then); the oracle's confidence and source values are derived from the narrative id (stable
// across runs) and lean toward the outcome; an agent's accepted verdict carries the agent's confidence; the TRUE pool
// is what was backed, the FALSE pool counts each challenge as the crowd's mean stake (1.5 SOL), both in USD at the
// current SOL price; `resolution_date` is when the world's oracle resolves (an hour after the deadline).
import { json, type Router, type SimResponse } from '../http/router.js';
import type { SimState } from '../sim-state.js';
import { shownStatus } from '../world/wire.js';
import type { SimNarrative } from '../world/world.js';
import { limited } from './limits.js';
import { listed } from './portfolio.js';

const HOUR = 3_600_000;
const MEAN_CHALLENGE_SOL = 1.5;

/** Source weights per category, after docs/oracle-architecture.md (Market: price feed 30%, Sports: odds API 50%…). */
const SOURCES: Record<string, Array<[name: string, weight: number]>> = {
  MARKET: [['price_feed', 0.3], ['ai_model_a', 0.25], ['ai_model_b', 0.25], ['web_search', 0.2]],
  SPORTS: [['odds_api', 0.5], ['ai_model_a', 0.2], ['ai_model_b', 0.15], ['web_search', 0.15]],
};
const DEFAULT_SOURCES: Array<[string, number]> = [['ai_model_a', 0.35], ['ai_model_b', 0.35], ['web_search', 0.3]];

/** A stable number in [0, 1) from a narrative id and a salt. */
function unit(id: string, salt: number): number {
  let h = 2166136261 ^ salt;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The oracle's result of a resolved narrative (null before, and for a refund: nothing was decided). */
function oracleOf(state: SimState, n: SimNarrative) {
  if (n.resolvedAt === null || (n.outcome !== 'true' && n.outcome !== 'false')) return null;
  const verdict = n.resolvedBy === 'agent' ? state.resolutions.find((r) => r.narrativeId === n.id) : undefined;
  const confidence = verdict ? verdict.confidence : Math.round((0.8 + 0.19 * unit(n.id, 1)) * 1000) / 1000;
  const yes = n.outcome === 'true';
  const sources = (SOURCES[n.category] ?? DEFAULT_SOURCES).map(([name, weight], k) => {
    const lean = 0.55 + 0.45 * unit(n.id, 10 + k); // each source leans toward the outcome, some more than others
    return { name, weight, value: Math.round((yes ? lean : 1 - lean) * 1000) / 1000 };
  });
  return { narrative_id: n.id, result: yes ? 'TRUE' : 'FALSE', confidence, sources, resolved_at: iso(n.resolvedAt) };
}

function narrativeItem(state: SimState, n: SimNarrative): Record<string, unknown> {
  const now = state.clock.now();
  const status = shownStatus(n, state.faults);
  const closes = n.resolvedAt === null ? null : n.resolvedAt + state.faults.challengeWindowMinutes * 60_000;
  const oracle = oracleOf(state, n);
  const sol = state.world.price('SOL');
  const backed = Number(n.totalBackedLamports) / 1e9;
  return {
    id: n.id, title: n.title, thesis: n.thesis, summary: n.thesis.slice(0, 140), category: n.category,
    status, oracle_status: status,
    resolution: n.resolvedAt === null ? null : n.outcome,
    // Final once resolved, out of review and past its challenge window (a refund is final at once).
    is_final: n.resolvedAt !== null && status !== 'under_review' && (n.outcome === 'refund' || now >= closes!),
    challenge_window_closes_at: iso(closes),
    confidence: oracle?.confidence ?? null,
    sources_used: oracle ? oracle.sources.map((s) => s.name) : [],
    oracle_result: oracle?.result ?? null,
    resolved_at: iso(n.resolvedAt),
    deadline_at: iso(n.deadline),
    resolution_date: iso(n.deadline + HOUR),
    total_backed_sol: backed,
    true_pool_usd: Math.round(backed * sol * 100) / 100,
    false_pool_usd: Math.round(n.challengeCount * MEAN_CHALLENGE_SOL * sol * 100) / 100,
    backer_count: n.backerCount,
    challenge_count: n.challengeCount,
    resolvability_score: Math.round((0.5 + 0.5 * unit(n.id, 2)) * 100) / 100,
    created_at: iso(n.createdAt),
  };
}

const notFound = (what: string): SimResponse => json(404, { statusCode: 404, error: 'Not Found', message: what });

const LIST_STATUSES: Record<string, (status: string) => boolean> = {
  active: (s) => s === 'open' || s === 'live',
  pending: (s) => s === 'pending' || s === 'running',
  resolved: (s) => s === 'resolved_true' || s === 'resolved_false' || s === 'refund' || s === 'under_review',
};

export function narrativeRoutes(state: SimState) {
  return (router: Router) => {
    router.on('GET', '/v1/narratives', (req) =>
      limited(state, 'public', req.ip, () => {
        const status = req.query.get('status');
        const category = req.query.get('category');
        const limit = Number(req.query.get('limit') ?? 20);
        const offset = Number(req.query.get('offset') ?? 0);
        if (status !== null && !LIST_STATUSES[status]) return json(400, { statusCode: 400, error: 'Bad Request', message: 'status must be active, resolved or pending' });
        if (!Number.isInteger(limit) || limit < 1 || limit > 100 || !Number.isInteger(offset) || offset < 0) {
          return json(400, { statusCode: 400, error: 'Bad Request', message: 'limit must be 1–100 and offset ≥ 0' });
        }
        const keep = status ? LIST_STATUSES[status]! : () => true;
        const all = state.world.narratives().filter((n) => keep(shownStatus(n, state.faults)) && (!category || n.category === category));
        const newest = status === 'resolved' ? [...all].sort((a, b) => (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0) || (a.id < b.id ? -1 : 1)) : [...all].reverse();
        return json(200, { data: newest.slice(offset, offset + limit).map((n) => narrativeItem(state, n)), total: all.length, limit, offset });
      }),
    );

    router.on('GET', '/v1/narratives/:id', (req) =>
      limited(state, 'public', req.ip, () => {
        const n = state.world.get(req.params.id!);
        if (!n) return notFound('Narrative not found');
        const item = narrativeItem(state, n);
        return json(200, state.faults.narrativeWrapped ? { narrative: item } : item);
      }),
    );

    router.on('GET', '/v1/oracle/:narrativeId', (req) =>
      limited(state, 'public', req.ip, () => {
        const n = state.world.get(req.params.narrativeId!);
        if (!n) return notFound('Narrative not found');
        const oracle = oracleOf(state, n);
        return oracle ? json(200, oracle) : notFound('No oracle result for this narrative yet');
      }),
    );

    router.on('GET', '/v1/narratives/:id/backers', (req) =>
      limited(state, 'public', req.ip, () => {
        const n = state.world.get(req.params.id!);
        if (!n) return notFound('Narrative not found');
        // As MAGMA lists backings (its view of each wallet, see the reportsAtFinalized fault), newest first.
        const wallets = new Set((state.backingsByNarrative.get(n.id) ?? []).map((b) => b.wallet));
        const backers = [...wallets].flatMap((w) => listed(state, w).filter((b) => b.narrativeId === n.id))
          .sort((a, b) => b.processedAt - a.processedAt)
          .map((b) => ({
            id: b.id, narrative_id: n.id, wallet_address: b.wallet, amount_sol: Number(b.lamports) / 1e9, amount_skr: 0,
            tx_signature: b.signature, token_type: 'SOL', created_at: iso(b.processedAt),
          }));
        return json(200, { backers });
      }),
    );
  };
}
