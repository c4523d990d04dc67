// GET /v1/agent/leaderboard: public ranking of registered agents by realised profit and loss (no key).
import { json, type Router } from '../http/router.js';
import type { SimState } from '../sim-state.js';
import { standingOf } from '../wallet-stats.js';
import { limited } from './limits.js';

export function leaderboardRoutes(state: SimState) {
  return (router: Router) => {
    router.on('GET', '/v1/agent/leaderboard', (req) =>
      limited(state, 'public', req.ip, () => {
        const rows = [...state.agentsByKey.values()].map((a) => {
          const s = standingOf(state, a.walletAddress);
          return {
            id: a.id, name: a.name, wallet_address: a.walletAddress, total_backings: s.totalBackings,
            total_volume_sol: Number(s.volumeLamports) / 1e9, total_pnl_sol: Number(s.pnlLamports) / 1e9, created_at: a.createdAt,
          };
        });
        rows.sort((x, y) => y.total_pnl_sol - x.total_pnl_sol || y.total_volume_sol - x.total_volume_sol || (x.id < y.id ? -1 : 1));
        return json(200, { ok: true, leaderboard: rows.slice(0, 100) });
      }),
    );
  };
}
