// /v1/agent/*: register (once per wallet, ~5/hour per IP) and the feed (up to 50 open/live/pending, newest first).
import { randomBytes } from 'node:crypto';
import { json, type Router, type SimRequest } from '../http/router.js';
import type { SimAgent, SimState } from '../sim-state.js';
import { toFeedItem } from '../world/wire.js';
import { malformedFeedItems } from '../faults/malformed-feed.js';
import { limited } from './limits.js';

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;

export function authenticate(state: SimState, req: SimRequest): SimAgent | null {
  const key = req.headers['x-api-key'];
  return typeof key === 'string' ? state.agentsByKey.get(key) ?? null : null;
}

/**
 * Who calls an agent route: an agent by its key, or (on an x402-gated route, src/sim/x402) whoever paid for this
 * call, known by the paying wallet; the rate limits key on either.
 */
export function caller(state: SimState, req: SimRequest): { limitKey: string; wallet: string } | null {
  const agent = authenticate(state, req);
  if (agent) return { limitKey: agent.apiKey, wallet: agent.walletAddress };
  return req.paidBy ? { limitKey: `x402:${req.paidBy}`, wallet: req.paidBy } : null;
}

export const unauthorized = () => json(401, { ok: false, error: 'Invalid or missing API key' });

export function agentRoutes(state: SimState) {
  return (router: Router) => {
    router.on('POST', '/v1/agent/register', (req) =>
      limited(state, 'register', req.ip, () => {
        const body = (req.body ?? {}) as { wallet_address?: unknown; name?: unknown; description?: unknown };
        if (typeof body.wallet_address !== 'string' || !BASE58.test(body.wallet_address)) {
          return json(400, { ok: false, error: 'wallet_address must be a Solana address' });
        }
        if (typeof body.name !== 'string' || !body.name.trim() || body.name.length > 64) {
          return json(400, { ok: false, error: 'name is required (1-64 characters)' });
        }
        if (state.agentsByWallet.has(body.wallet_address)) {
          return json(409, { ok: false, error: 'An agent is already registered for this wallet' });
        }
        const agent: SimAgent = {
          id: `ag_${randomBytes(8).toString('hex')}`,
          apiKey: `mgma_${randomBytes(2).toString('hex')}_${randomBytes(32).toString('hex')}`,
          name: body.name,
          description: typeof body.description === 'string' ? body.description.slice(0, 500) : null,
          walletAddress: body.wallet_address,
          createdAt: new Date(state.clock.now()).toISOString(),
        };
        state.agentsByKey.set(agent.apiKey, agent);
        state.agentsByWallet.set(agent.walletAddress, agent);
        return json(200, {
          ok: true,
          agent: { id: agent.id, api_key: agent.apiKey, name: agent.name, wallet_address: agent.walletAddress, created_at: agent.createdAt },
        });
      }),
    );

    router.on('GET', '/v1/agent/feed', (req) => {
      const who = caller(state, req);
      if (!who) return unauthorized();
      return limited(state, 'feed', who.limitKey, () => {
        const items: unknown[] = state.world.feed(50).map((n) => toFeedItem(n, state.faults));
        if (state.faults.malformedFeed > 0) {
          state.faults.malformedFeed--;
          items.push(...malformedFeedItems(items as Array<Record<string, unknown>>));
        }
        return json(200, { ok: true, narratives: items });
      });
    });
  };
}
