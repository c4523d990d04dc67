// Outcomes from the simulator's realised results (GET /__sim/truth): for rehearsals (`run --sim`, the demo) only.
// It reads only outcomes of narratives that have already resolved, never the hidden probabilities.
import { MagmaError } from '../core/errors.js';
import type { HttpTransport } from '../http/transport.js';
import type { OutcomeSource, ResolvedOutcome } from '../ports/outcome-source.js';

interface TruthItem {
  id?: unknown;
  outcome?: unknown;
  resolved_at?: unknown;
}

export class SimOutcomeSource implements OutcomeSource {
  readonly scope = 'decided' as const;
  readonly name = 'simulator';

  constructor(private readonly transport: HttpTransport) {}

  async outcomes(narrativeIds: readonly string[], signal?: AbortSignal): Promise<ResolvedOutcome[]> {
    if (narrativeIds.length === 0) return [];
    const path = `/__sim/truth?ids=${narrativeIds.map(encodeURIComponent).join(',')}`;
    const res = await this.transport.call({ method: 'GET', path, route: '/__sim/truth', family: 'simulator', signal });
    const list = (res.body as { narratives?: unknown } | null)?.narratives;
    if (res.status !== 200 || !Array.isArray(list)) {
      throw new MagmaError('API_MALFORMED', `the simulator's /__sim/truth answered ${res.status} without a narratives list.`);
    }
    const wanted = new Set(narrativeIds);
    const out: ResolvedOutcome[] = [];
    for (const item of list as TruthItem[]) {
      if (typeof item.id !== 'string' || !wanted.has(item.id)) continue;
      if (item.outcome !== 'true' && item.outcome !== 'false' && item.outcome !== 'refund') continue;
      out.push({ narrativeId: item.id, outcome: item.outcome, resolvedAt: typeof item.resolved_at === 'string' ? item.resolved_at : null });
    }
    return out;
  }
}
