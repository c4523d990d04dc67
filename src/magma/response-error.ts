// Sorts a MAGMA error response by what must happen next (STYLE.md): 401 stop, 403 no writes, 404 skip,
// 429 and 5xx wait, 503 halted or gated. Messages name the route and what to do, never a header value.
import { MagmaError, type ForbiddenReason } from '../core/errors.js';
import type { HttpResult } from '../http/transport.js';

/** Longest pause a server may impose through retry-after: a bigger value is a bug or an attack, not a plan. */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** Milliseconds to wait after a 429: the retry-after header wins, else the body's retryAfter / retry_after. */
export function retryAfterMs(res: HttpResult, nowMs: number = Date.now()): number | null {
  const raw = retryAfterRaw(res, nowMs);
  return raw === null ? null : Math.min(MAX_RETRY_AFTER_MS, raw);
}

function retryAfterRaw(res: HttpResult, nowMs: number): number | null {
  const header = res.headers['retry-after'];
  if (header !== undefined && header.trim() !== '') {
    const seconds = Number(header);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(header);
    if (Number.isFinite(date)) return Math.max(0, date - nowMs);
  }
  const body = (res.body ?? {}) as { retryAfter?: unknown; retry_after?: unknown };
  if (typeof body.retryAfter === 'number' && Number.isFinite(body.retryAfter)) return Math.max(0, body.retryAfter * 1000);
  if (typeof body.retry_after === 'string' || typeof body.retry_after === 'number') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*s?\s*$/.exec(String(body.retry_after));
    if (m) return Number(m[1]) * 1000;
  }
  return null;
}

export type { ForbiddenReason };

export function forbiddenReason(said: string): ForbiddenReason {
  if (/block|banned|suspend|flag/i.test(said)) return 'wallet_blocked';
  if (/terms/i.test(said)) return 'terms_not_accepted';
  if (/tier|score|pro\b|enterprise|upgrade|plan|conviction/i.test(said)) return 'tier_too_low';
  return 'unknown';
}

const FORBIDDEN_HINTS: Record<ForbiddenReason, string> = {
  wallet_blocked: 'The wallet is blocked by MAGMA: no writes are sent; contact MAGMA support or use another wallet.',
  terms_not_accepted: 'The wallet has not accepted the latest terms: accept them in the MAGMA app. No writes are sent until then.',
  tier_too_low: 'This call needs a higher tier or conviction score: request a tier upgrade (developers.magmaprotocol.xyz/api/tiers). No writes are sent meanwhile.',
  unknown: 'The wallet may be blocked, the terms not accepted, or the tier too low: check the wallet in the MAGMA app. No writes are sent until this clears.',
};

function serverMessage(body: unknown): string {
  if (typeof body === 'string') return /<html|<!doctype/i.test(body) ? 'an HTML page' : body.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 200) || 'no message';
  const b = (body ?? {}) as { error?: unknown; message?: unknown };
  const error = typeof b.error === 'object' && b.error !== null ? (b.error as { message?: unknown }).message : b.error;
  const parts = [error, b.message].filter((x) => typeof x === 'string') as string[];
  // Control characters would let a hostile body forge log lines.
  return parts.join(': ').replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 300) || 'no message';
}

export function responseError(res: HttpResult, route: string, nowMs?: number): MagmaError {
  const said = serverMessage(res.body);
  const context = { route, status: res.status };
  switch (true) {
    case res.status === 401:
      return new MagmaError('API_UNAUTHORIZED', `MAGMA rejected the API key on ${route} (401: ${said}).`, {
        context,
        hint: 'Set MAGMA_API_KEY to a valid key, or remove the stored key file (agent-key.json in the data directory) and run `magma-agent register`.',
      });
    case res.status === 402:
      return new MagmaError('X402_NOT_PAID', `${route} asks for an x402 payment (402: ${said}); this command does not pay.`, {
        context,
        hint: 'Use an API key (api.auth "key"), or let the daemon pay: set x402.maxPerCallUsd, x402.maxPerDayUsd and x402.allowedPayees (see README "x402").',
      });
    case res.status === 403: {
      const reason = forbiddenReason(said);
      return new MagmaError('API_FORBIDDEN', `MAGMA refused ${route} (403: ${said}).`, { context: { ...context, reason }, hint: FORBIDDEN_HINTS[reason] });
    }
    case res.status === 404:
      return new MagmaError('API_NOT_FOUND', `${route} answered 404 (${said}).`, { context });
    case res.status === 429: {
      const wait = retryAfterMs(res, nowMs);
      return new MagmaError('API_RATE_LIMITED', `rate limited on ${route} (429: ${said}); waiting ${Math.ceil((wait ?? 60_000) / 1000)} s.`, {
        context: { ...context, retryAfterMs: wait ?? 60_000 },
        hint: 'The agent pauses this kind of call until then. If it happens often, raise poll.intervalSeconds.',
      });
    }
    case res.status === 503:
      return new MagmaError('PROTOCOL_HALTED', `MAGMA is halted or the feature is gated on ${route} (503: ${said}).`, {
        context: { ...context, retryAfterMs: retryAfterMs(res, nowMs) },
        hint: 'No writes are sent while it lasts; the daemon keeps reading and retries on its next tick.',
      });
    case res.status >= 500:
      return new MagmaError('API_UNAVAILABLE', `MAGMA failed on ${route} (${res.status}: ${said}).`, {
        context,
        hint: 'A server-side problem; try again later (the daemon retries on its next tick).',
      });
    case res.status === 400 || res.status === 409 || res.status === 422:
      return new MagmaError('API_BAD_REQUEST', `MAGMA refused the request on ${route} (${res.status}: ${said}).`, { context });
    default:
      return new MagmaError('API_MALFORMED', `unexpected answer ${res.status} from ${route} (${said}).`, { context });
  }
}

export function malformed(route: string, what: string, res: HttpResult): MagmaError {
  const kind = res.isJson ? 'JSON of an unexpected shape' : typeof res.body === 'string' && /<html|<!doctype/i.test(res.body) ? 'an HTML page instead of JSON' : 'a body that is not JSON';
  return new MagmaError('API_MALFORMED', `${route} answered ${res.status} with ${kind}: ${what}.`, {
    context: { route, status: res.status },
    hint: 'Check that api.url points at the MAGMA API (not a proxy or login page); the daemon skips this and retries on its next tick.',
  });
}
