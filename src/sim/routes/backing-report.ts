// POST /v1/narratives/:id/back: the report of a confirmed backing transaction. It is acknowledged only when the
// chain holds that signature as confirmed and it matches narrative, wallet and amount; tx_signature is its
// idempotency key (a repeat of an acknowledged report answers 200 with the same body). ~10/min per wallet.
import { solToLamports } from '../../core/money.js';
import { json, type Router } from '../http/router.js';
import { confirmationOf, type SimState } from '../sim-state.js';
import { haltedGate, walletGate } from './gates.js';
import { limited } from './limits.js';

const bad = (message: string) => json(400, { error: 'Bad Request', message });

export function backingReportRoutes(state: SimState) {
  return (router: Router) => {
    router.on('POST', '/v1/narratives/:id/back', (req) => {
      const body = (req.body ?? {}) as { wallet_address?: unknown; amount_sol?: unknown; amount_skr?: unknown; tx_signature?: unknown; token_type?: unknown };
      const wallet = typeof body.wallet_address === 'string' ? body.wallet_address : `ip:${req.ip}`;
      return limited(state, 'backing', wallet, () => {
        const gate = haltedGate(state, 'backing') ?? walletGate(state, wallet);
        if (gate) return gate;
        if (typeof body.wallet_address !== 'string' || typeof body.amount_sol !== 'number' || !(body.amount_sol > 0)
          || typeof body.tx_signature !== 'string' || (body.token_type !== undefined && body.token_type !== 'SOL')
          || (body.amount_skr !== undefined && body.amount_skr !== 0)) {
          return bad('wallet_address, amount_sol (> 0), amount_skr (0), tx_signature and token_type ("SOL") are required');
        }
        const narrativeId = req.params.id!;
        const lamports = solToLamports(body.amount_sol);
        const earlier = state.reports.get(body.tx_signature);
        if (earlier) {
          if (earlier.narrativeId === narrativeId && earlier.wallet === body.wallet_address && earlier.lamports === lamports) return json(200, earlier.body);
          return bad('This tx_signature was already reported for a different backing');
        }
        if (!state.world.get(narrativeId)) return json(404, { error: 'Not Found', message: `Narrative ${narrativeId} not found` });
        const tx = state.chain.txs.get(body.tx_signature);
        if (!tx || !tx.confirmedApplied) return bad('Transaction not found or not yet confirmed on chain');
        if (state.faults.reportsAtFinalized && confirmationOf(state, tx.slot).status !== 'finalized') return bad('Transaction not found or not yet finalized');
        const match = tx.backings.find((b) => b.narrativeId === narrativeId && b.wallet === body.wallet_address && b.lamports === lamports);
        if (!match) return bad('Transaction does not match this narrative, wallet and amount');
        const responseBody = {
          ok: true,
          message: 'Backing recorded',
          backing: {
            id: match.id, narrative_id: narrativeId, wallet_address: match.wallet, amount_sol: body.amount_sol, amount_skr: 0,
            token_type: 'SOL', tx_signature: body.tx_signature, created_at: new Date(state.clock.now()).toISOString(),
          },
        };
        state.reports.set(body.tx_signature, { signature: body.tx_signature, narrativeId, wallet: match.wallet, lamports, reportedAt: state.clock.now(), body: responseBody });
        return json(200, responseBody);
      });
    });
  };
}
