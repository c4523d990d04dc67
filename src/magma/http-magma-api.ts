// The MAGMA Agents API over HTTP (PROTOCOL.md sections 1–2). The key is sent as x-api-key and never logged.
import { MagmaError } from '../core/errors.js';
import type { HttpResult, HttpTransport } from '../http/transport.js';
import type { FeedResult, MagmaApi, RegisteredAgent, RegisterRequest, SystemStatus, TermsStatus } from '../ports/magma-api.js';
import { malformed, responseError } from './response-error.js';
import { parseFeed, registerResponseSchema, systemStatusSchema, termsStatusSchema } from './schemas.js';

export interface HttpMagmaApiOptions {
  transport: HttpTransport;
  /** The agent API key, when one is known (it is not before registration). */
  apiKey: () => string | null;
}

export class HttpMagmaApi implements MagmaApi {
  constructor(private readonly options: HttpMagmaApiOptions) {}

  private authHeaders(route: string): Record<string, string> {
    const key = this.options.apiKey();
    if (!key) {
      throw new MagmaError('API_UNAUTHORIZED', `no API key for ${route}.`, {
        hint: 'Run `magma-agent register` once, or set MAGMA_API_KEY.',
      });
    }
    return { 'x-api-key': key };
  }

  private ok(res: HttpResult, route: string): HttpResult {
    if (res.status >= 200 && res.status < 300) return res;
    throw responseError(res, route);
  }

  async register(req: RegisterRequest, signal?: AbortSignal): Promise<RegisteredAgent> {
    const route = '/v1/agent/register';
    const res = this.ok(
      await this.options.transport.call({
        method: 'POST', path: route, route, family: 'register', signal,
        body: { wallet_address: req.walletAddress, name: req.name, ...(req.description ? { description: req.description } : {}) },
      }),
      route,
    );
    const parsed = registerResponseSchema.safeParse(res.body);
    if (!parsed.success) throw malformed(route, 'no agent id and api_key in the answer', res);
    const a = parsed.data.agent;
    return {
      agentId: a.id,
      apiKey: a.api_key,
      name: a.name ?? req.name,
      walletAddress: a.wallet_address ?? req.walletAddress,
      createdAt: a.created_at ?? new Date().toISOString(),
    };
  }

  async feed(signal?: AbortSignal): Promise<FeedResult> {
    const route = '/v1/agent/feed';
    const res = this.ok(
      await this.options.transport.call({ method: 'GET', path: route, route, family: 'feed', signal, headers: this.authHeaders(route) }),
      route,
    );
    const feed = parseFeed(res.body);
    if (!feed) throw malformed(route, 'no "narratives" list', res);
    return feed;
  }

  async systemStatus(signal?: AbortSignal): Promise<SystemStatus> {
    const route = '/v1/system/status';
    const res = this.ok(await this.options.transport.call({ method: 'GET', path: route, route, family: 'public', signal }), route);
    const parsed = systemStatusSchema.safeParse(res.body);
    if (!parsed.success) throw malformed(route, 'not a system status', res);
    const s = parsed.data;
    // The components decide: `operational` can stay true while one component is halted.
    const halted = new Set(s.halted_components ?? []);
    for (const c of s.components ?? []) if (c.is_halted) halted.add(c.component);
    return { operational: s.operational ?? halted.size === 0, halted: [...halted].sort() };
  }

  async termsStatus(wallet: string, signal?: AbortSignal): Promise<TermsStatus> {
    const route = '/v1/terms/status/:wallet';
    const res = this.ok(
      await this.options.transport.call({ method: 'GET', path: `/v1/terms/status/${encodeURIComponent(wallet)}`, route, family: 'public', signal }),
      route,
    );
    const parsed = termsStatusSchema.safeParse(res.body);
    if (!parsed.success) throw malformed(route, 'no "accepted" flag', res);
    const version = parsed.data.latest?.terms_version;
    return { accepted: parsed.data.accepted, termsVersion: version === undefined || version === null ? null : String(version) };
  }
}
