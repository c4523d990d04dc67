// The executor's own check of every risk limit against the journal, independent of the engine: whatever path a
// request comes by, no intent opens that would break the protocol's 0.001–10 SOL bounds, the per-backing, daily,
// exposure, category and open-position limits, or the backing rate (~10 a minute per wallet). Pure.
import { formatSol } from '../core/money.js';
import { isBackableId } from '../core/narrative.js';
import { dailyWindowStart, PROTOCOL_MAX_STAKE, PROTOCOL_MIN_STAKE, type RiskLimits } from '../core/risk.js';
import type { JournalView } from '../ports/journal.js';

export interface GuardRequest {
  narrativeId: string;
  category: string;
  stakeLamports: bigint;
}

/**
 * The windows every executor counts its limits over at `nowMs` of its clock (the replayed time in a backtest):
 * risk.maxDailySol over the last 24 hours (rolling, not the UTC day), backing.maxPerMinute over the last minute.
 */
export function guardWindows(nowMs: number): { now: string; dayStart: string; since: string } {
  return { now: new Date(nowMs).toISOString(), dayStart: dailyWindowStart(nowMs), since: new Date(nowMs - 60_000).toISOString() };
}

/** Why the intent must not go ahead, in plain words; null when every limit holds. */
export function riskRefusal(req: GuardRequest, view: JournalView, limits: RiskLimits, maxPerMinute: number): string | null {
  const stake = req.stakeLamports;
  const s = formatSol;
  if (!isBackableId(req.narrativeId)) return 'the narrative id is not a UUID: the backing program cannot take it';
  if (view.verdictNarratives.has(req.narrativeId)) return 'a verdict on this narrative was submitted (or is being submitted): backing it would be a conflict of interest';
  if (view.inFlightNarratives.has(req.narrativeId)) return 'an intent to back this narrative is already in flight: never a second one beside it';
  if (stake < PROTOCOL_MIN_STAKE || stake > PROTOCOL_MAX_STAKE) return `stake ${s(stake)} is outside the protocol's 0.001–10 SOL per backing`;
  if (stake < limits.minStake) return `stake ${s(stake)} is below risk.minStakeSol (${s(limits.minStake)})`;
  if (stake > limits.maxStake) return `stake ${s(stake)} is above risk.maxStakeSol (${s(limits.maxStake)})`;
  if (view.spentToday + stake > limits.maxDaily) return `backings in the last 24 hours would reach ${s(view.spentToday + stake)}, above risk.maxDailySol (${s(limits.maxDaily)})`;
  if (view.exposure + stake > limits.maxExposure) return `open exposure would reach ${s(view.exposure + stake)}, above risk.maxExposureSol (${s(limits.maxExposure)})`;
  if (limits.maxCategoryExposure !== null) {
    const used = view.exposureByCategory.get(req.category) ?? 0n;
    if (used + stake > limits.maxCategoryExposure) return `${req.category} exposure would reach ${s(used + stake)}, above risk.maxCategoryExposureSol`;
  }
  const held = view.heldNarratives.has(req.narrativeId);
  if (held && !limits.scaleIn) return 'a position in this narrative is already open or in flight (risk.scaleIn is off)';
  if (!held && view.openPositions >= limits.maxOpenPositions) return `open positions already at risk.maxOpenPositions (${limits.maxOpenPositions})`;
  if (view.recentIntents >= maxPerMinute) return `${view.recentIntents} backings in the last minute: the wallet's backing rate limit (backing.maxPerMinute ${maxPerMinute}) is reached`;
  return null;
}
