// A wallet's standing derived from its confirmed backings and the world's outcomes: positions, settled profit and
// loss under the payout rule (src/core/payout.ts), conviction and points. Derived on demand, never stored, so it
// can never disagree with the ledger. The conviction and points formulas are our design (MAGMA publishes none).
import { payoutModel, settledPnlLamports } from '../core/payout.js';
import type { SimBacking } from './chain/sim-ledger.js';
import type { SimState } from './sim-state.js';
import type { SimNarrative } from './world/world.js';

/** The payout rule the simulated protocol settles with (the current docs' rule). */
export const SIM_PAYOUT = payoutModel('current');
const TIERS: Array<[minScore: number, tier: string, multiplier: number]> = [
  [800, 'inferno', 2.0], [600, 'blaze', 1.5], [400, 'flame', 1.25], [200, 'ember', 1.1], [0, 'spark', 1.0],
];
const YIELD_TYPES = ['kamino', 'marinade', 'save'];

export function isSettled(n: SimNarrative): boolean {
  return n.status === 'resolved_true' || n.status === 'resolved_false' || n.status === 'refund';
}

export function outcomeOf(n: SimNarrative): 'true' | 'false' | 'refund' | null {
  return n.status === 'resolved_true' ? 'true' : n.status === 'resolved_false' ? 'false' : n.status === 'refund' ? 'refund' : null;
}

export function backingsOf(state: SimState, wallet: string): SimBacking[] {
  return state.backingsByWallet.get(wallet) ?? [];
}

/** The Agents API position item (portfolio and history share it). */
export function positionItem(state: SimState, b: SimBacking): Record<string, unknown> {
  const n = state.world.get(b.narrativeId);
  const sol = Number(b.lamports) / 1e9;
  return {
    id: b.id,
    narrative_id: b.narrativeId,
    amount_sol: sol,
    usd_equivalent: Math.round(sol * state.world.price('SOL') * 100) / 100,
    yield_type: YIELD_TYPES[parseInt(b.id.slice(0, 2), 16) % YIELD_TYPES.length],
    created_at: new Date(b.processedAt).toISOString(),
    narratives: n ? { title: n.title, oracle_status: n.status } : null,
  };
}

export interface WalletStanding {
  totalBackings: number;
  volumeLamports: bigint;
  pnlLamports: bigint;
  correct: number;
  incorrect: number;
  streak: number;
  score: number;
  tier: string;
  multiplier: number;
  points: Array<{ points: number; reason: string; created_at: string }>;
  totalPoints: number;
}

export function standingOf(state: SimState, wallet: string): WalletStanding {
  const backings = backingsOf(state, wallet);
  let volume = 0n;
  let pnl = 0n;
  let correct = 0;
  let incorrect = 0;
  const settled: Array<{ at: number; ok: boolean }> = [];
  const points: Array<{ points: number; reason: string; at: number }> = [];
  for (const b of backings) {
    volume += b.lamports;
    points.push({ points: Math.max(1, Math.round((Number(b.lamports) / 1e9) * 10)), reason: 'backing', at: b.processedAt });
    const n = state.world.get(b.narrativeId);
    const outcome = n ? outcomeOf(n) : null;
    if (!n || !outcome) continue;
    // What settlement actually paid (multiplier included); the rule alone for one not yet paid out.
    pnl += b.settledLamports !== null ? b.settledLamports - b.lamports : settledPnlLamports(SIM_PAYOUT, b.lamports, outcome);
    if (outcome === 'refund') continue;
    const ok = outcome === 'true';
    if (ok) correct++;
    else incorrect++;
    settled.push({ at: n.resolvedAt ?? 0, ok });
    if (ok) points.push({ points: 50, reason: 'correct_backing', at: n.resolvedAt ?? 0 });
  }
  settled.sort((a, b) => b.at - a.at);
  let streak = 0;
  while (streak < settled.length && settled[streak]!.ok) streak++;
  const resolved = correct + incorrect;
  const accuracy = resolved ? correct / resolved : 0;
  // Accuracy matters more as the record grows; a streak adds a little.
  const score = Math.max(0, Math.min(1000, Math.round(accuracy * 600 * Math.min(1, resolved / 20) + Math.min(resolved, 50) * 6 + streak * 10)));
  const [, tier, multiplier] = TIERS.find(([min]) => score >= min)!;
  points.sort((a, b) => b.at - a.at);
  return {
    totalBackings: backings.length, volumeLamports: volume, pnlLamports: pnl, correct, incorrect, streak, score, tier, multiplier,
    points: points.map((p) => ({ points: p.points, reason: p.reason, created_at: new Date(p.at).toISOString() })),
    totalPoints: points.reduce((s, p) => s + p.points, 0),
  };
}

export function convictionBody(state: SimState, wallet: string): Record<string, unknown> {
  const s = standingOf(state, wallet);
  const resolved = s.correct + s.incorrect;
  return {
    wallet_address: wallet,
    conviction_score: s.score,
    conviction_tier: s.tier,
    yield_multiplier: s.multiplier,
    correct_backings: s.correct,
    incorrect_backings: s.incorrect,
    accuracy_rate: resolved ? Math.round((s.correct / resolved) * 10_000) / 10_000 : 0,
    current_streak: s.streak,
  };
}
