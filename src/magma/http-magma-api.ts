// The MAGMA Agents API over HTTP (PROTOCOL.md sections 1–2). Every call goes through one path: the family's rate
// budget, the transport (reads retried, writes never), header correction of the budget, a 429 pause, errors sorted
// by what must happen next, and a final scrub so the x-api-key value never leaves in an error.
import { isMagmaError, MagmaError } from '../core/errors.js';
import { lamportsToSol } from '../core/money.js';
import type { HttpResult, HttpTransport } from '../http/transport.js';
import type { Logger } from '../log/logger.js';
import { scrubError } from '../log/scrub-error.js';
import type {
  BackingReport, BackingReportResult, Conviction, DroppedItem, EchoPoolPreview, FeedResult, LeaderboardResult, MagmaApi,
  NarrativeBacker, NarrativeDetail, OracleResult, Points, PointsLeaderboardResult, PositionsResult, RegisteredAgent, RegisterRequest, ResolveRequest, ResolveResult,
  SystemStatus, TermsStatus, WalletFlag, WebhookRegistration,
} from '../ports/magma-api.js';
import type { X402Payer } from '../ports/x402-payer.js';
import type { RateBudget } from './rate-budget.js';
import { parseBackers, parseNarrativeDetail, parseNarrativePage, parseOracleResult } from './narrative-schemas.js';
import { malformed, responseError } from './response-error.js';
import {
  agentRankSchema, backingReportResponseSchema, convictionSchema, echoPoolEstimate, parseFeed, parseList, pointsEntrySchema,
  pointsRankSchema, pointsSchema, positionSchema, registerResponseSchema, resolveResponseSchema, systemStatusSchema,
  termsStatusSchema, toAgentRank, toConviction, toPointsEntry, toPointsRank, toPosition, toWalletFlag, walletFlagSchema,
  webhookResponseSchema,
} from './schemas.js';

export interface HttpMagmaApiOptions {
  transport: HttpTransport;
  /** The agent API key, when one is known (it is not before registration). */
  apiKey: () => string | null;
  /** Client-side rate budgets; without one, calls go out as asked (one-shot commands). */
  budget?: RateBudget;
  /** Where dropped list items are reported. */
  logger?: Logger;
  /** Clock time for retry-after HTTP dates. */
  now?: () => number;
  /** Who answers a 402 (x402, PROTOCOL.md 7): pays and the call is retried once, or says why not. None: a 402 is an error. */
  payer?: X402Payer;
  /** api.auth "x402": routes that take a key go without one, and the server's 402 is paid per call. */
  keyless?: boolean;
}

interface Send {
  method: 'GET' | 'POST';
  path: string;
  route: string;
  family: string;
  auth: boolean;
  body?: unknown;
  signal?: AbortSignal | undefined;
}

const MIN_RESOLVE_CONFIDENCE = 0.7;
const MAX_EVIDENCE = 1_000;
const seg = (v: string) => encodeURIComponent(v);
/** Response bounds: the feed (up to 50 items, MAX_FEED_ITEMS kept) and every other MAGMA answer. */
export const FEED_MAX_BYTES = 4 * 1024 * 1024;
export const API_MAX_BYTES = 2 * 1024 * 1024;

export class HttpMagmaApi implements MagmaApi {
  private readonly droppedByRoute = new Map<string, number>();

  constructor(private readonly options: HttpMagmaApiOptions) {}

  /** How many list items each route has dropped as unusable since start (a counter for status and metrics). */
  droppedCounts(): ReadonlyMap<string, number> {
    return this.droppedByRoute;
  }

  private key(route: string): string {
    const key = this.options.apiKey();
    if (!key) {
      throw new MagmaError('API_UNAUTHORIZED', `no API key for ${route}.`, {
        hint: 'Run `magma-agent register` once, or set MAGMA_API_KEY.',
      });
    }
    return key;
  }

  private async send(s: Send): Promise<HttpResult> {
    const { transport, budget } = this.options;
    const now = () => this.options.now?.() ?? Date.now();
    try {
      const headers = s.auth && !this.options.keyless ? { 'x-api-key': this.key(s.route) } : undefined;
      const write = s.method === 'POST';
      const once = async (extra: Record<string, string> | undefined, retries: boolean) => {
        const remaining = budget ? await budget.acquire(s.family, { write, signal: s.signal }) : null;
        const all = headers || extra ? { ...headers, ...extra } : undefined;
        const r = await transport.call({
          method: s.method, path: s.path, route: s.route, family: s.family, signal: s.signal, budgetRemaining: remaining,
          maxBytes: s.family === 'feed' ? FEED_MAX_BYTES : API_MAX_BYTES,
          ...(budget && retries ? { beforeRetry: (signal?: AbortSignal) => budget.acquire(s.family, { write, signal }) } : {}),
          ...(retries ? {} : { idempotent: false }), ...(all ? { headers: all } : {}), ...(s.body !== undefined ? { body: s.body } : {}),
        });
        budget?.observe(s.family, r.headers);
        return r;
      };
      let res = await once(undefined, true);
      if (res.status === 402 && this.options.payer) {
        // x402: pay within the configured caps, then ask once more with the payment (never retried: it is spent once)
        const paid = await this.options.payer.pay({ route: s.route, url: new URL(s.path.replace(/^\//, ''), transport.baseUrl).toString(), headers: res.headers, body: res.body }, s.signal);
        try {
          res = await once(paid.headers, false);
        } catch (err) {
          throw paid.unanswered(err);
        }
        paid.settle({ status: res.status, headers: res.headers });
      }
      if (res.status >= 200 && res.status < 300) return res;
      const err = responseError(res, s.route, now());
      if (isMagmaError(err, 'API_RATE_LIMITED')) budget?.pause(s.family, err.context.retryAfterMs);
      throw err;
    } catch (err) {
      throw scrubError(err, [this.options.apiKey()]);
    }
  }

  private dropped(route: string, items: DroppedItem[]): void {
    if (!items.length) return;
    this.droppedByRoute.set(route, (this.droppedByRoute.get(route) ?? 0) + items.length);
    for (const d of items) this.options.logger?.warn('api.item_dropped', { route, index: d.index, id: d.id, reason: d.reason });
  }

  /** Parses a 2xx body or throws API_MALFORMED with the reason (skip and go on). */
  private parse<T>(res: HttpResult, route: string, what: string, parse: (body: unknown) => T | null): T {
    let out: T | null = null;
    try {
      out = res.isJson ? parse(res.body) : null;
    } catch {
      out = null;
    }
    if (out === null) throw scrubError(malformed(route, what, res), [this.options.apiKey()]) as MagmaError;
    return out;
  }

  async register(req: RegisterRequest, signal?: AbortSignal): Promise<RegisteredAgent> {
    const route = '/v1/agent/register';
    const res = await this.send({
      method: 'POST', path: route, route, family: 'register', auth: false, signal,
      body: { wallet_address: req.walletAddress, name: req.name, ...(req.description ? { description: req.description } : {}) },
    });
    const a = this.parse(res, route, 'no agent id and api_key in the answer', (b) => registerResponseSchema.safeParse(b).data?.agent ?? null);
    return {
      agentId: a.id,
      apiKey: a.api_key,
      name: a.name ?? req.name,
      walletAddress: a.wallet_address ?? req.walletAddress,
      createdAt: a.created_at ?? new Date(this.options.now?.() ?? Date.now()).toISOString(),
    };
  }

  async feed(signal?: AbortSignal): Promise<FeedResult> {
    const route = '/v1/agent/feed';
    const res = await this.send({ method: 'GET', path: route, route, family: 'feed', auth: true, signal });
    const feed = this.parse(res, route, 'no "narratives" list', parseFeed);
    this.droppedByRoute.set(route, (this.droppedByRoute.get(route) ?? 0) + feed.dropped.length);
    return feed;
  }

  private async positions(route: '/v1/agent/portfolio' | '/v1/agent/history', signal?: AbortSignal): Promise<PositionsResult> {
    const res = await this.send({ method: 'GET', path: route, route, family: 'agent', auth: true, signal });
    const body = res.body as { positions?: unknown; backings?: unknown; history?: unknown; wallet_address?: unknown } | null;
    // History is documented as "same item shape"; its list key is not: accept the plausible names.
    const list = body?.positions ?? body?.backings ?? body?.history;
    const parsed = this.parse(res, route, 'no "positions" list', () => parseList(list, positionSchema, toPosition));
    this.dropped(route, parsed.dropped);
    return {
      walletAddress: typeof body?.wallet_address === 'string' ? body.wallet_address : null,
      positions: parsed.items,
      dropped: parsed.dropped,
    };
  }

  portfolio(signal?: AbortSignal): Promise<PositionsResult> {
    return this.positions('/v1/agent/portfolio', signal);
  }

  history(signal?: AbortSignal): Promise<PositionsResult> {
    return this.positions('/v1/agent/history', signal);
  }

  async leaderboard(signal?: AbortSignal): Promise<LeaderboardResult> {
    const route = '/v1/agent/leaderboard';
    const res = await this.send({ method: 'GET', path: route, route, family: 'public', auth: false, signal });
    const parsed = this.parse(res, route, 'no "leaderboard" list', (b) => parseList((b as { leaderboard?: unknown } | null)?.leaderboard, agentRankSchema, toAgentRank));
    this.dropped(route, parsed.dropped);
    return { leaderboard: parsed.items, dropped: parsed.dropped };
  }

  async registerWebhook(url: string, events: readonly string[], signal?: AbortSignal): Promise<WebhookRegistration> {
    const route = '/v1/agent/webhook';
    const res = await this.send({ method: 'POST', path: route, route, family: 'agent', auth: true, signal, body: { url, events } });
    const w = this.parse(res, route, 'not a webhook registration', (b) => webhookResponseSchema.safeParse(b).data ?? null);
    return { url: w.url ?? url, events: w.events ?? [...events], message: w.message };
  }

  async resolve(req: ResolveRequest, signal?: AbortSignal): Promise<ResolveResult> {
    const route = '/v1/agent/resolve';
    if (!(req.confidence >= MIN_RESOLVE_CONFIDENCE && req.confidence <= 1)) {
      throw new MagmaError('API_BAD_REQUEST', `a verdict on ${req.narrativeId} with confidence ${req.confidence} was not sent: MAGMA rejects confidence below ${MIN_RESOLVE_CONFIDENCE}.`, {
        context: { route, narrativeId: req.narrativeId, confidence: req.confidence },
      });
    }
    let res: HttpResult;
    try {
      res = await this.send({
        method: 'POST', path: route, route, family: 'agent', auth: true, signal,
        body: { narrative_id: req.narrativeId, resolution: req.resolution ? 'true' : 'false', evidence: req.evidence.slice(0, MAX_EVIDENCE), confidence: req.confidence },
      });
    } catch (err) {
      if (err instanceof MagmaError && err.code === 'API_NOT_FOUND') {
        throw new MagmaError('API_NOT_FOUND', `narrative ${req.narrativeId} is unknown or not eligible for resolution: skipped.`, {
          cause: err, context: { route, narrativeId: req.narrativeId, status: 404 },
        });
      }
      throw err;
    }
    const r = this.parse(res, route, 'no "resolution" in the answer', (b) => resolveResponseSchema.safeParse(b).data ?? null);
    return { narrativeId: r.narrative_id ?? req.narrativeId, resolution: r.resolution, message: r.message };
  }

  async conviction(wallet: string, signal?: AbortSignal): Promise<Conviction> {
    const route = '/v1/conviction/:wallet';
    const res = await this.send({ method: 'GET', path: `/v1/conviction/${seg(wallet)}`, route, family: 'public', auth: false, signal });
    return this.parse(res, route, 'not a conviction record', (b) => {
      const c = convictionSchema.safeParse(b);
      return c.success ? toConviction(c.data) : null;
    });
  }

  async points(wallet: string, signal?: AbortSignal): Promise<Points> {
    const route = '/v1/points/:wallet';
    const res = await this.send({ method: 'GET', path: `/v1/points/${seg(wallet)}`, route, family: 'public', auth: false, signal });
    const p = this.parse(res, route, 'no "total_points"', (b) => pointsSchema.safeParse(b).data ?? null);
    const history = parseList(p.history ?? [], pointsEntrySchema, toPointsEntry) ?? { items: [], dropped: [{ index: -1, id: null, reason: 'history is not a list' }] };
    this.dropped(route, history.dropped);
    return { walletAddress: p.wallet_address ?? wallet, totalPoints: p.total_points, history: history.items, dropped: history.dropped };
  }

  async pointsLeaderboard(signal?: AbortSignal): Promise<PointsLeaderboardResult> {
    const route = '/v1/points/leaderboard';
    const res = await this.send({ method: 'GET', path: route, route, family: 'public', auth: false, signal });
    const parsed = this.parse(res, route, 'no "leaderboard" list', (b) => {
      const body = b as { leaderboard?: unknown } | unknown[] | null;
      const list = Array.isArray(body) ? body : body?.leaderboard;
      return parseList(list, pointsRankSchema, (r) => r);
    });
    this.dropped(route, parsed.dropped);
    return { leaderboard: parsed.items.map(toPointsRank), dropped: parsed.dropped };
  }

  async echoPoolPreview(wallet: string, signal?: AbortSignal): Promise<EchoPoolPreview> {
    // The seed's path first; older docs name another, so a 404 there falls back once.
    const candidates = [
      { route: '/v1/conviction/echo-pool/preview/:wallet', path: `/v1/conviction/echo-pool/preview/${seg(wallet)}` },
      { route: '/v1/echo-pool/preview/:wallet', path: `/v1/echo-pool/preview/${seg(wallet)}` },
    ];
    for (const [i, c] of candidates.entries()) {
      try {
        const res = await this.send({ method: 'GET', path: c.path, route: c.route, family: 'public', auth: false, signal });
        const raw = this.parse(res, c.route, 'not a JSON object', (b) => (b !== null && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : null));
        const epoch = raw.epoch ?? raw.epoch_id;
        return { estimatedLamports: echoPoolEstimate(raw), epoch: typeof epoch === 'string' || typeof epoch === 'number' ? String(epoch) : null, path: c.route, raw };
      } catch (err) {
        if (!(err instanceof MagmaError && err.code === 'API_NOT_FOUND') || i === candidates.length - 1) throw err;
      }
    }
    throw new MagmaError('API_NOT_FOUND', 'no Echo Pool preview route answered.');
  }

  async walletFlag(wallet: string, signal?: AbortSignal): Promise<WalletFlag> {
    const route = '/v1/admin/flag/check/:wallet';
    const res = await this.send({ method: 'GET', path: `/v1/admin/flag/check/${seg(wallet)}`, route, family: 'public', auth: false, signal });
    return this.parse(res, route, 'no "flagged" and "blocked" flags', (b) => {
      const f = walletFlagSchema.safeParse(b);
      return f.success ? toWalletFlag(f.data, wallet) : null;
    });
  }

  async reportBacking(report: BackingReport, signal?: AbortSignal): Promise<BackingReportResult> {
    const route = '/v1/narratives/:id/back';
    if (report.amountLamports <= 0n) {
      throw new MagmaError('API_BAD_REQUEST', `a backing report for ${report.narrativeId} with amount ${report.amountLamports} lamports was not sent.`, { context: { route } });
    }
    // A write: sent once per call. The executor retries it on tx_signature, which the server treats as idempotent.
    const res = await this.send({
      method: 'POST', path: `/v1/narratives/${seg(report.narrativeId)}/back`, route, family: 'backing', auth: false, signal,
      body: { wallet_address: report.walletAddress, amount_sol: lamportsToSol(report.amountLamports), amount_skr: 0, tx_signature: report.txSignature, token_type: 'SOL' },
    });
    // A 2xx with an empty body is an acknowledgement too; a JSON body saying ok:false is not.
    if (!res.isJson && typeof res.body === 'string' && res.body.trim() === '') return { acknowledged: true, message: null };
    const r = this.parse(res, route, 'the report was not acknowledged', (b) => backingReportResponseSchema.safeParse(b).data ?? null);
    return { acknowledged: true, message: r.message };
  }

  async narrative(narrativeId: string, signal?: AbortSignal): Promise<NarrativeDetail> {
    const route = '/v1/narratives/:id';
    const res = await this.send({ method: 'GET', path: `/v1/narratives/${seg(narrativeId)}`, route, family: 'public', auth: false, signal });
    return this.parse(res, route, 'no narrative with an id and a status', parseNarrativeDetail);
  }

  async oracleResult(narrativeId: string, signal?: AbortSignal): Promise<OracleResult | null> {
    const route = '/v1/oracle/:narrativeId';
    let res: HttpResult;
    try {
      res = await this.send({ method: 'GET', path: `/v1/oracle/${seg(narrativeId)}`, route, family: 'public', auth: false, signal });
    } catch (err) {
      if (isMagmaError(err, 'API_NOT_FOUND')) return null; // no result yet
      throw err;
    }
    // Null until resolved: an answer without a TRUE/FALSE result is "none yet", not an error.
    if (res.isJson && (res.body === null || (res.body as { result?: unknown }).result === null)) return null;
    return this.parse(res, route, 'no TRUE/FALSE result', (b) => parseOracleResult(b, narrativeId));
  }

  async narratives(query: { status?: 'active' | 'resolved' | 'pending'; limit?: number; offset?: number }, signal?: AbortSignal): Promise<{ items: NarrativeDetail[]; total: number | null }> {
    const route = '/v1/narratives';
    const params = new URLSearchParams();
    if (query.status) params.set('status', query.status);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.offset !== undefined) params.set('offset', String(query.offset));
    const qs = params.toString();
    const res = await this.send({ method: 'GET', path: qs ? `${route}?${qs}` : route, route, family: 'public', auth: false, signal });
    return this.parse(res, route, 'no "data" list', parseNarrativePage);
  }

  async narrativeBackers(narrativeId: string, signal?: AbortSignal): Promise<NarrativeBacker[]> {
    const route = '/v1/narratives/:id/backers';
    const res = await this.send({ method: 'GET', path: `/v1/narratives/${seg(narrativeId)}/backers`, route, family: 'public', auth: false, signal });
    return this.parse(res, route, 'no "backers" list', parseBackers);
  }

  async health(signal?: AbortSignal): Promise<void> {
    const route = '/v1/health';
    const res = await this.send({ method: 'GET', path: route, route, family: 'public', auth: false, signal });
    this.parse(res, route, 'not {"ok": true}', (b) => (b !== null && typeof b === 'object' && (b as { ok?: unknown }).ok === true ? true : null));
  }

  async systemStatus(signal?: AbortSignal): Promise<SystemStatus> {
    const route = '/v1/system/status';
    const res = await this.send({ method: 'GET', path: route, route, family: 'public', auth: false, signal });
    const s = this.parse(res, route, 'not a system status', (b) => systemStatusSchema.safeParse(b).data ?? null);
    // The components decide: `operational` can stay true while one component is halted.
    const halted = new Set(s.halted_components ?? []);
    for (const c of s.components ?? []) if (c.is_halted) halted.add(c.component);
    return { operational: s.operational ?? halted.size === 0, halted: [...halted].sort() };
  }

  async termsStatus(wallet: string, signal?: AbortSignal): Promise<TermsStatus> {
    const route = '/v1/terms/status/:wallet';
    const res = await this.send({ method: 'GET', path: `/v1/terms/status/${seg(wallet)}`, route, family: 'public', auth: false, signal });
    const t = this.parse(res, route, 'no "accepted" flag', (b) => termsStatusSchema.safeParse(b).data ?? null);
    const version = t.latest?.terms_version;
    return { accepted: t.accepted, termsVersion: version === undefined || version === null ? null : String(version) };
  }
}
