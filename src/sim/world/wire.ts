// The world's narratives in the Agents API wire format (PROTOCOL.md sections 1 and 9).
import type { SimFaults } from '../faults/sim-faults.js';
import type { SimNarrative } from './world.js';

/** The oracle status MAGMA shows: the world's own, unless a fault puts the narrative in `running` or `under_review`. */
export function shownStatus(n: SimNarrative, faults?: Pick<SimFaults, 'oracleStates'>): string {
  return faults?.oracleStates.get(n.id) ?? n.status;
}

export function toFeedItem(n: SimNarrative, faults?: Pick<SimFaults, 'oracleStates'>): Record<string, unknown> {
  return {
    id: n.id,
    title: n.title,
    thesis: n.thesis,
    category: n.category,
    oracle_status: shownStatus(n, faults),
    total_backed_sol: Number(n.totalBackedLamports) / 1e9,
    backer_count: n.backerCount,
    challenge_count: n.challengeCount,
    created_at: new Date(n.createdAt).toISOString(),
  };
}
