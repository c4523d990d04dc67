// GET /v1/agent/portfolio and /v1/agent/history: the agent wallet's confirmed backings in the documented item
// shape; the portfolio holds the unsettled ones, the history the 100 most recent of all, newest first.
import { json, type Router } from '../http/router.js';
import type { SimState } from '../sim-state.js';
import { backingsOf, isSettled, positionItem } from '../wallet-stats.js';
import { caller, unauthorized } from './agent.js';
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
      const who = caller(state, req);
      if (!who) return unauthorized();
      return limited(state, 'agent', who.limitKey, () => {
        const open = listed(state, who.wallet).filter((b) => {
          const n = state.world.get(b.narrativeId);
          return n !== undefined && !isSettled(n);
        });
        return json(200, { ok: true, wallet_address: who.wallet, positions: open.reverse().map((b) => positionItem(state, b)) });
      });
    });

    router.on('GET', '/v1/agent/history', (req) => {
      const who = caller(state, req);
      if (!who) return unauthorized();
      return limited(state, 'agent', who.limitKey, () => {
        const recent = listed(state, who.wallet).slice(-100).reverse();
        return json(200, { ok: true, wallet_address: who.wallet, positions: recent.map((b) => positionItem(state, b)) });
      });
    });
  };
}
