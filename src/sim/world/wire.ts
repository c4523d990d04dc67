// The world's narratives in the Agents API wire format (PROTOCOL.md section 1).
import type { SimNarrative } from './world.js';

export function toFeedItem(n: SimNarrative): Record<string, unknown> {
  return {
    id: n.id,
    title: n.title,
    thesis: n.thesis,
    category: n.category,
    oracle_status: n.status,
    total_backed_sol: Number(n.totalBackedLamports) / 1e9,
    backer_count: n.backerCount,
    challenge_count: n.challengeCount,
    created_at: new Date(n.createdAt).toISOString(),
  };
}
