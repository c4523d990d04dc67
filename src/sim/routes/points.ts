// Public points reads: GET /v1/points/:wallet (total and history) and GET /v1/points/leaderboard (top 100).
import { json, type Router } from '../http/router.js';
import type { SimState } from '../sim-state.js';
import { standingOf } from '../wallet-stats.js';
import { limited } from './limits.js';

export function pointsRoutes(state: SimState) {
  return (router: Router) => {
    // The literal path first: the router takes the first match and ":wallet" would swallow "leaderboard".
    router.on('GET', '/v1/points/leaderboard', (req) =>
      limited(state, 'public', req.ip, () => {
        const rows = [...state.backingsByWallet.keys()].map((wallet) => ({ wallet_address: wallet, total_points: standingOf(state, wallet).totalPoints }));
        rows.sort((a, b) => b.total_points - a.total_points || (a.wallet_address < b.wallet_address ? -1 : 1));
        return json(200, { ok: true, leaderboard: rows.slice(0, 100).map((r, i) => ({ rank: i + 1, ...r })) });
      }),
    );
    router.on('GET', '/v1/points/:wallet', (req) =>
      limited(state, 'public', req.ip, () => {
        const s = standingOf(state, req.params.wallet!);
        return json(200, { wallet_address: req.params.wallet, total_points: s.totalPoints, history: s.points });
      }),
    );
  };
}
