// Applies a rate-limit family to a request: the x-ratelimit-* headers on every answer, a 429 past the limit in one
// of the two documented body shapes.
import { json, type SimResponse } from '../http/router.js';
import type { SimState } from '../sim-state.js';

export function limited(state: SimState, family: string, key: string, run: () => SimResponse): SimResponse {
  const r = state.limiter.take(family, key);
  if (!r) return run();
  const headers = state.limiter.headers(r);
  if (!r.allowed) {
    const body = family === 'public' || family === 'register'
      ? { error: 'Too Many Requests', tier: state.tier, limit: r.limit, retry_after: `${r.resetSeconds}s` }
      : { statusCode: 429, error: 'Too Many Requests', message: `Rate limit exceeded, retry in ${r.resetSeconds} seconds`, retryAfter: r.resetSeconds };
    return json(429, body, headers);
  }
  const res = run();
  return { ...res, headers: { ...headers, ...res.headers } };
}
