// Turns an armed fault burst into what the client meets on the wire: a 5xx JSON error, an HTML error page (as a
// proxy or CDN in front of the API serves), a 429 storm with both documented body shapes, a response that never
// comes, or a reset connection.
import { json, type SimResponse } from '../http/router.js';
import type { FaultBurst, FaultFamily } from './sim-faults.js';

const HTML_PAGE = (status: number) => `<!DOCTYPE html>
<html><head><title>${status} Bad Gateway</title></head>
<body><center><h1>${status} Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>
`;

export function faultResponse(burst: FaultBurst, family: FaultFamily): SimResponse {
  if (family === 'magus' && (burst.kind === 'error' || burst.kind === 'rate-limit')) return magusFault(burst);
  switch (burst.kind) {
    case 'error': {
      const status = burst.status ?? 503;
      return json(status, { error: status === 503 ? 'Service Unavailable' : 'Internal Server Error', message: 'Simulated outage (fault injected)' });
    }
    case 'html':
      return { status: burst.status ?? 502, text: HTML_PAGE(burst.status ?? 502) };
    case 'rate-limit': {
      const headers = { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '30', 'retry-after': '30' };
      const body = family === 'public' || family === 'register'
        ? { error: 'Too Many Requests', tier: 'free', limit: 60, retry_after: '30s' }
        : { statusCode: 429, error: 'Too Many Requests', message: 'Rate limit exceeded, retry in 30 seconds', retryAfter: 30 };
      return json(429, body, headers);
    }
    case 'hang':
      return { status: 0, action: 'hang' };
    case 'reset':
      return { status: 0, action: 'reset' };
  }
}

/** Magus's own envelope: 403 usage_limit_exceeded for a 429 storm or a 403, 504 timeout, else 502 agent_error. */
function magusFault(burst: FaultBurst): SimResponse {
  const status = burst.kind === 'rate-limit' ? 403 : burst.status ?? 502;
  const code = status === 403 ? 'usage_limit_exceeded' : status === 504 ? 'timeout' : status === 500 ? 'internal_error' : 'agent_error';
  return json(status, { error: { code, message: `Simulated Magus failure (${code})` } });
}

/** The fault family of a request path (null: never faulted, e.g. control routes). */
export function familyOf(path: string): FaultFamily | null {
  if (path === '/rpc' || path === '/rpc/') return 'rpc';
  if (path.startsWith('/__sim/prices')) return 'prices';
  if (path.startsWith('/magus/')) return 'magus';
  if (path.startsWith('/__sim/')) return null;
  if (path.startsWith('/v1/agent/feed')) return 'feed';
  if (path.startsWith('/v1/agent/register')) return 'register';
  if (path.startsWith('/v1/agent/resolve')) return 'resolve';
  if (/^\/v1\/narratives\/[^/]+\/back\/?$/.test(path)) return 'backing';
  if (path.startsWith('/v1/agent/') && !path.startsWith('/v1/agent/leaderboard')) return 'agent';
  if (path.startsWith('/v1/')) return 'public';
  return null;
}
