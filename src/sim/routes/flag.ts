// GET /v1/admin/flag/check/:wallet (older docs): whether a wallet is flagged or blocked; blocked → no writes.
import { json, type Router } from '../http/router.js';
import { walletMatches } from '../faults/sim-faults.js';
import type { SimState } from '../sim-state.js';
import { limited } from './limits.js';

export function flagRoutes(state: SimState) {
  return (router: Router) => {
    router.on('GET', '/v1/admin/flag/check/:wallet', (req) =>
      limited(state, 'public', req.ip, () => {
        const wallet = req.params.wallet!;
        const blocked = walletMatches(state.faults.blocked, wallet);
        const flagged = blocked || walletMatches(state.faults.flagged, wallet);
        return json(200, {
          wallet_address: wallet, flagged, blocked,
          flag_type: blocked ? 'blocked' : flagged ? 'suspicious_activity' : null,
          reason: blocked ? 'Blocked by the simulator (fault)' : flagged ? 'Flagged by the simulator (fault)' : null,
        });
      }),
    );
  };
}
