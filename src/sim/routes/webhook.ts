// POST /v1/agent/webhook: registers one callback URL per agent for narrative.created / narrative.resolved.
// Deliveries (src/sim/webhooks/) go to loopback URLs only; others are accepted but never called.
import { json, type Router } from '../http/router.js';
import type { SimState } from '../sim-state.js';
import { authenticate, unauthorized } from './agent.js';
import { limited } from './limits.js';

export const WEBHOOK_EVENTS = ['narrative.created', 'narrative.resolved', 'oracle.result', 'echo_pool.distributed', 'conviction.updated'];

export function webhookRoutes(state: SimState) {
  return (router: Router) => {
    router.on('POST', '/v1/agent/webhook', (req) => {
      const agent = authenticate(state, req);
      if (!agent) return unauthorized();
      return limited(state, 'agent', agent.apiKey, () => {
        const body = (req.body ?? {}) as { url?: unknown; events?: unknown };
        let url: URL | null = null;
        try {
          url = typeof body.url === 'string' ? new URL(body.url) : null;
        } catch {
          url = null;
        }
        if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return json(400, { ok: false, error: 'url must be an http(s) URL' });
        const events = body.events === undefined ? ['narrative.created', 'narrative.resolved'] : body.events;
        if (!Array.isArray(events) || events.length === 0 || !events.every((e) => typeof e === 'string' && WEBHOOK_EVENTS.includes(e))) {
          return json(400, { ok: false, error: `events must be a non-empty list of: ${WEBHOOK_EVENTS.join(', ')}` });
        }
        state.webhooks.set(agent.id, { agentId: agent.id, url: body.url as string, events: events as string[] });
        return json(200, { ok: true, message: 'Webhook registered', url: body.url, events });
      });
    });
  };
}
