import type { Narrative } from '../../src/core/narrative.js';

export function narrative(over: Partial<Narrative> = {}): Narrative {
  return {
    id: '0b3f5a52-1c1e-4c4e-9d7e-2f9e1b6f7a10', title: 'SOL closes above $250 on June 1', thesis: 'Will SOL close above $250 on 2026-06-01 per CoinGecko?',
    category: 'MARKET', oracleStatus: 'open', totalBackedLamports: 142_500_000_000n, backerCount: 23, challengeCount: 1,
    createdAt: '2026-04-06T12:00:00Z', ...over,
  };
}
