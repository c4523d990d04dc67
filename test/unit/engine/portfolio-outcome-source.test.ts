import { describe, expect, it } from 'vitest';
import { PortfolioOutcomeSource } from '../../../src/outcomes/portfolio-outcome-source.js';
import type { Position } from '../../../src/ports/magma-api.js';

const pos = (narrativeId: string, oracleStatus: string | null): Position => ({
  id: `p-${narrativeId}`, narrativeId, amountLamports: 1n, usdEquivalent: null, yieldType: null, createdAt: '', narrativeTitle: null, oracleStatus,
});

describe('outcomes from the portfolio', () => {
  it('reads resolved statuses of the wanted narratives from portfolio and history', async () => {
    const source = new PortfolioOutcomeSource({
      portfolio: async () => ({ walletAddress: 'w', positions: [pos('a', 'live'), pos('b', 'resolved_true')], dropped: [] }),
      history: async () => ({ walletAddress: 'w', positions: [pos('c', 'resolved_false'), pos('d', 'refund'), pos('e', 'resolved_true')], dropped: [] }),
    });
    const out = await source.outcomes(['a', 'b', 'c', 'd']);
    expect(out).toEqual([
      { narrativeId: 'b', outcome: 'true', resolvedAt: null },
      { narrativeId: 'c', outcome: 'false', resolvedAt: null },
      { narrativeId: 'd', outcome: 'refund', resolvedAt: null },
    ]);
    expect(await source.outcomes([])).toEqual([]);
  });
});
