// Public conviction reads: GET /v1/conviction/:wallet and the Echo Pool preview at both documented paths
// (/v1/conviction/echo-pool/preview/:wallet per the seed, /v1/echo-pool/preview/:wallet per older docs).
import { json, type Router, type SimRequest } from '../http/router.js';
import type { SimState } from '../sim-state.js';
import { backingsOf, convictionBody, isSettled } from '../wallet-stats.js';
import { limited } from './limits.js';

const EPOCH_MS = 30 * 86_400_000;
const EPOCH_ORIGIN = Date.UTC(2026, 0, 1);
const FALSE_FORFEIT = 0.35;
const ECHO_SHARE = 0.37;

/** Our model of the preview: the epoch's Echo share of FALSE forfeits, split by the wallet's share of epoch volume. */
function echoPreview(state: SimState, wallet: string): Record<string, unknown> {
  const now = state.clock.now();
  const epoch = Math.floor((now - EPOCH_ORIGIN) / EPOCH_MS);
  const start = EPOCH_ORIGIN + epoch * EPOCH_MS;
  let pool = 0;
  let resolvedCount = 0;
  for (const n of state.world.narratives()) {
    if (!isSettled(n) || n.resolvedAt === null) continue;
    resolvedCount++;
    if (n.status === 'resolved_false' && n.resolvedAt >= start) pool += (Number(n.totalBackedLamports) / 1e9) * FALSE_FORFEIT * ECHO_SHARE;
  }
  const mine = backingsOf(state, wallet).filter((b) => b.processedAt >= start).reduce((s, b) => s + Number(b.lamports) / 1e9, 0);
  let epochVolume = 0;
  for (const n of state.world.narratives()) if (n.createdAt >= start) epochVolume += Number(n.totalBackedLamports) / 1e9;
  // The pool switches on only once the oracle has ≥ 85% accuracy over ≥ 50 resolutions (the world's oracle is exact).
  const active = resolvedCount >= 50;
  const share = epochVolume > 0 ? mine / epochVolume : 0;
  return {
    ok: true, wallet_address: wallet, epoch, epoch_start: new Date(start).toISOString(), epoch_end: new Date(start + EPOCH_MS).toISOString(),
    active, oracle_accuracy: 1, oracle_resolutions: resolvedCount, pool_sol: Math.round(pool * 1e6) / 1e6, eligible: mine > 0,
    estimated_sol: active ? Math.round(pool * share * 1e9) / 1e9 : 0,
  };
}

export function convictionRoutes(state: SimState) {
  const preview = (req: SimRequest) => limited(state, 'public', req.ip, () => json(200, echoPreview(state, req.params.wallet!)));
  return (router: Router) => {
    // Registered before /v1/conviction/:wallet would not matter (segments differ), but keep the specific path first.
    router.on('GET', '/v1/conviction/echo-pool/preview/:wallet', preview);
    router.on('GET', '/v1/echo-pool/preview/:wallet', preview);
    router.on('GET', '/v1/conviction/:wallet', (req) => limited(state, 'public', req.ip, () => json(200, convictionBody(state, req.params.wallet!))));
  };
}
