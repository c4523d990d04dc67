// Outcomes as the wallet's own portfolio and history show them (each position carries its narrative's
// oracle_status): the live source, for narratives the wallet backed. Narratives it never held leave the feed
// without a documented way to read their outcome, so they stay unscored rather than guessed.
import type { MagmaApi } from '../ports/magma-api.js';
import { outcomeOfStatus, type OutcomeSource, type ResolvedOutcome } from '../ports/outcome-source.js';

export class PortfolioOutcomeSource implements OutcomeSource {
  readonly scope = 'held' as const;
  readonly name = 'portfolio';

  constructor(private readonly api: Pick<MagmaApi, 'portfolio' | 'history'>) {}

  async outcomes(narrativeIds: readonly string[], signal?: AbortSignal): Promise<ResolvedOutcome[]> {
    if (narrativeIds.length === 0) return [];
    const wanted = new Set(narrativeIds);
    const [portfolio, history] = await Promise.all([this.api.portfolio(signal), this.api.history(signal)]);
    const found = new Map<string, ResolvedOutcome>();
    for (const p of [...portfolio.positions, ...history.positions]) {
      if (!wanted.has(p.narrativeId) || found.has(p.narrativeId)) continue;
      const outcome = p.oracleStatus ? outcomeOfStatus(p.oracleStatus) : null;
      if (outcome) found.set(p.narrativeId, { narrativeId: p.narrativeId, outcome, resolvedAt: null });
    }
    return [...found.values()];
  }
}
