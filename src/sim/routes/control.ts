// /__sim/*: the simulator's own control and inspection routes (loopback only): simulated time, agents, and
// faults switched at run time.
import { json, type Router } from '../http/router.js';
import type { SimState } from '../sim-state.js';

export function controlRoutes(state: SimState) {
  return (router: Router) => {
    router.on('GET', '/__sim/state', () =>
      json(200, {
        now: new Date(state.clock.now()).toISOString(),
        start: new Date(state.world.startMs).toISOString(),
        narratives: state.world.narratives().length,
        feed: state.world.feed(50).length,
        agents: [...state.agentsByKey.values()].map((a) => ({ id: a.id, name: a.name, wallet_address: a.walletAddress, created_at: a.createdAt })),
        faults: { halted: [...state.faults.halted], terms_rejected: [...state.faults.termsRejected] },
      }),
    );

    router.on('POST', '/__sim/faults', (req) => {
      const body = (req.body ?? {}) as { halted?: unknown; termsRejected?: unknown };
      if (body.halted !== undefined) {
        if (!Array.isArray(body.halted) || !body.halted.every((c) => typeof c === 'string')) return json(400, { error: 'halted must be a list of component names' });
        state.faults.halted = new Set(body.halted as string[]);
      }
      if (body.termsRejected !== undefined) {
        if (!Array.isArray(body.termsRejected) || !body.termsRejected.every((c) => typeof c === 'string')) return json(400, { error: 'termsRejected must be a list of wallets or "*"' });
        state.faults.termsRejected = new Set(body.termsRejected as string[]);
      }
      return json(200, { ok: true, halted: [...state.faults.halted], terms_rejected: [...state.faults.termsRejected] });
    });
  };
}
