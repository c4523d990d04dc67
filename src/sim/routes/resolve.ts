// POST /v1/agent/resolve: an agent's oracle verdict. Below 0.7 confidence → 400; an unknown or no longer eligible
// narrative → 404; evidence is stored truncated to 1,000 characters; an accepted verdict resolves the narrative.
import { json, type Router } from '../http/router.js';
import type { SimState } from '../sim-state.js';
import { authenticate, unauthorized } from './agent.js';
import { haltedGate, walletGate } from './gates.js';
import { limited } from './limits.js';
import { shownStatus } from '../world/wire.js';

export function resolveRoutes(state: SimState) {
  return (router: Router) => {
    router.on('POST', '/v1/agent/resolve', (req) => {
      const agent = authenticate(state, req);
      if (!agent) return unauthorized();
      return limited(state, 'resolve', agent.apiKey, () => {
        const gate = haltedGate(state, 'oracle') ?? walletGate(state, agent.walletAddress);
        if (gate) return gate;
        const body = (req.body ?? {}) as { narrative_id?: unknown; resolution?: unknown; evidence?: unknown; confidence?: unknown };
        const resolution = body.resolution === true || body.resolution === 'true' ? 'true' : body.resolution === false || body.resolution === 'false' ? 'false' : null;
        if (typeof body.narrative_id !== 'string' || resolution === null || typeof body.confidence !== 'number' || !Number.isFinite(body.confidence)
          || body.confidence > 1 || (body.evidence !== undefined && typeof body.evidence !== 'string')) {
          return json(400, { ok: false, error: 'Bad Request', message: 'narrative_id (string), resolution ("true" | "false"), evidence (string) and confidence (0–1) are required' });
        }
        if (body.confidence < 0.7) {
          return json(400, { ok: false, error: 'Confidence too low', message: 'Resolutions need a confidence of at least 0.7' });
        }
        const n = state.world.get(body.narrative_id);
        // Running (being scored) and under review (disputed) are not eligible either (PROTOCOL.md section 9).
        const shown = n ? shownStatus(n, state.faults) : null;
        if (!n || !(shown === 'open' || shown === 'live' || shown === 'pending')) {
          return json(404, { ok: false, error: 'Narrative not found or not eligible for resolution' });
        }
        const status = resolution === 'true' ? 'resolved_true' : 'resolved_false';
        state.resolutions.push({
          narrativeId: n.id, agentId: agent.id, resolution: status, evidence: (body.evidence ?? '').slice(0, 1000), confidence: body.confidence, at: state.clock.now(),
        });
        state.world.resolveByVerdict(n.id, resolution, state.clock.now());
        return json(200, { ok: true, narrative_id: n.id, resolution: status, message: 'Resolution submitted and settlement queued' });
      });
    });
  };
}
