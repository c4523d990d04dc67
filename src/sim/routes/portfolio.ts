// GET /v1/agent/portfolio and /v1/agent/history: the agent wallet's confirmed backings in the documented item
// shape; the portfolio holds the unsettled ones, the history the 100 most recent of all, newest first.
import { json, type Router } from '../http/router.js';
import type { SimState } from '../sim-state.js';
import { backingsOf, isSettled, positionItem } from '../wallet-stats.js';
import { authenticate, unauthorized } from './agent.js';
import { limited } from './limits.js';

/**
 * The wallet's backings as MAGMA lists them: every confirmed one, or, when MAGMA builds its view from reports it
 * verified at finalized (the reportsAtFinalized fault), only those whose report it acknowledged.
 */
export function listed(state: SimState, wallet: string) {
  const all = backingsOf(state, wallet);
  return state.faults.reportsAtFinalized ? all.filter((b) => state.reports.has(b.signature)) : all;
}

export function portfolioRoutes(state: SimState) {
  return (router: Router) => {
    router.on('GET', '/v1/agent/portfolio', (req) => {
      const agent = authenticate(state, req);
      if (!agent) return unauthorized();
      return limited(state, 'agent', agent.apiKey, () => {
        const open = listed(state, agent.walletAddress).filter((b) => {
          const n = state.world.get(b.narrativeId);
          return n !== undefined && !isSettled(n);
        });
        return json(200, { ok: true, wallet_address: agent.walletAddress, positions: open.reverse().map((b) => positionItem(state, b)) });
      });
    });

    router.on('GET', '/v1/agent/history', (req) => {
      const agent = authenticate(state, req);
      if (!agent) return unauthorized();
      return limited(state, 'agent', agent.apiKey, () => {
        const recent = listed(state, agent.walletAddress).slice(-100).reverse();
        return json(200, { ok: true, wallet_address: agent.walletAddress, positions: recent.map((b) => positionItem(state, b)) });
      });
    });
  };
}
