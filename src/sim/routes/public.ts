// Public reads agents gate on: system status, terms status and liveness (~60/min per IP).
import { json, type Router } from '../http/router.js';
import type { SimState } from '../sim-state.js';
import { limited } from './limits.js';

const COMPONENTS = ['all', 'submissions', 'backing', 'withdrawals', 'oracle'];

export function publicRoutes(state: SimState) {
  return (router: Router) => {
    router.on('GET', '/v1/system/status', (req) =>
      limited(state, 'public', req.ip, () => {
        const halted = COMPONENTS.filter((c) => state.faults.halted.has(c));
        return json(200, {
          // `operational` stays true while single components are halted, as the real API does.
          operational: !state.faults.halted.has('all'),
          halted_components: halted,
          components: COMPONENTS.map((component) => ({ component, is_halted: state.faults.halted.has(component) })),
        });
      }),
    );

    // Liveness, as the official app checks it before a transaction: down (503) while everything is halted.
    for (const path of ['/v1/health', '/health']) {
      router.on('GET', path, (req) =>
        limited(state, 'public', req.ip, () => (state.faults.halted.has('all') ? json(503, { ok: false }) : json(200, { ok: true }))),
      );
    }

    router.on('GET', '/v1/terms/status/:wallet', (req) =>
      limited(state, 'public', req.ip, () => {
        const rejected = state.faults.termsRejected.has('*') || state.faults.termsRejected.has(req.params.wallet!);
        return json(200, {
          accepted: !rejected,
          latest: rejected ? null : { terms_version: '2026-03', accepted_at: new Date(state.world.startMs).toISOString(), platform: 'web' },
        });
      }),
    );
  };
}
