// Turns one narrative's ensemble forecast into a decision: gates first, then payout-aware sizing, then every risk
// limit. Pure: the same inputs give the same decision in live, dry-run and backtest.
import type { EnsembleForecast } from './ensemble.js';
import { maxBigint, minBigint } from './money.js';
import type { Narrative } from './narrative.js';
import { isBackableId, isOpenForBacking } from './narrative.js';
import { breakEvenProbability, expectedValuePerUnit, kellyFraction, type PayoutModel } from './payout.js';
import type { RiskLimits } from './risk.js';

/** Whether writes may happen this tick, and if not, why (recorded with every decision it blocks). */
export interface Gate {
  open: boolean;
  reason: string | null;
}

export interface PortfolioView {
  openPositions: number;
  exposure: bigint;
  spentToday: bigint;
  exposureByCategory: ReadonlyMap<string, bigint>;
  heldNarratives: ReadonlySet<string>;
  /** Narratives the agent submitted (or is submitting) a verdict on: never backed (a conflict of interest). */
  verdictNarratives?: ReadonlySet<string>;
}

export interface DecisionInput {
  narrative: Narrative;
  forecast: EnsembleForecast | null;
  backingGate: Gate;
  /** Wallet balance in lamports, or null when it could not be read (then nothing is backed). */
  balance: bigint | null;
  portfolio: PortfolioView;
  limits: RiskLimits;
  payout: PayoutModel;
}

export interface Decision {
  narrativeId: string;
  action: 'back' | 'skip';
  stakeLamports: bigint;
  pTrue: number | null;
  confidence: number | null;
  /** pTrue minus the break-even probability of the payout rule. */
  edge: number | null;
  /** Expected profit per unit staked. */
  expectedValue: number | null;
  /** Why: every limit that shaped or blocked the stake, in order. */
  reasons: string[];
}

function skip(input: DecisionInput, reasons: string[], edge: number | null = null, expectedValue: number | null = null): Decision {
  return {
    narrativeId: input.narrative.id,
    action: 'skip',
    stakeLamports: 0n,
    pTrue: input.forecast?.pTrue ?? null,
    confidence: input.forecast?.confidence ?? null,
    edge,
    expectedValue,
    reasons,
  };
}

// A reason that names only the status is built once per status and shared: an identical string compares at once (the
// run trackers, the fingerprint).
const notOpenReasons = new Map<string, string>();
function notOpenReason(status: string): string {
  let reason = notOpenReasons.get(status);
  if (reason === undefined) {
    reason = `not open for backing (oracle_status ${status})`;
    if (notOpenReasons.size < 64) notOpenReasons.set(status, reason);
  }
  return reason;
}

export function decideBacking(input: DecisionInput): Decision {
  const { narrative, forecast, limits, payout, portfolio } = input;
  if (!isOpenForBacking(narrative)) return skip(input, [notOpenReason(narrative.oracleStatus)]);
  if (!isBackableId(narrative.id)) return skip(input, ['the narrative id is not a UUID: the backing program cannot take it']);
  if (portfolio.verdictNarratives?.has(narrative.id)) return skip(input, ['a verdict on it was submitted: backing it would be a conflict of interest']);
  if (!forecast) return skip(input, ['no strategy offered an opinion']);

  const edge = forecast.pTrue - breakEvenProbability(payout);
  const expectedValue = expectedValuePerUnit(payout, forecast.pTrue);
  if (edge < limits.minEdge) {
    return skip(input, [`edge below risk.minEdge (${edge.toFixed(3)} < ${limits.minEdge})`], edge, expectedValue);
  }
  if (!limits.scaleIn && portfolio.heldNarratives.has(narrative.id)) {
    return skip(input, ['already holds a position (risk.scaleIn is off)'], edge, expectedValue);
  }
  if (!input.backingGate.open) return skip(input, [`gate closed: ${input.backingGate.reason}`], edge, expectedValue);
  if (input.balance === null) return skip(input, ['wallet balance unknown'], edge, expectedValue);
  if (portfolio.openPositions >= limits.maxOpenPositions) {
    return skip(input, [`open positions at risk.maxOpenPositions (${limits.maxOpenPositions})`], edge, expectedValue);
  }

  const reasons: string[] = [];
  const bankroll = input.balance - limits.minBalance;
  if (bankroll <= 0n) return skip(input, ['balance at or below risk.minBalanceSol'], edge, expectedValue);

  const fraction = kellyFraction(payout, forecast.pTrue) * limits.kellyFraction;
  if (!Number.isFinite(fraction)) return skip(input, ['the forecast gives no stake size (not a finite Kelly fraction)'], edge, expectedValue);
  let stake = BigInt(Math.floor(Number(bankroll) * fraction));
  reasons.push(`kelly ${(fraction * 100).toFixed(2)}% of bankroll`);

  const caps: Array<[bigint, string]> = [
    [limits.maxStake, 'risk.maxStakeSol'],
    [maxBigint(0n, limits.maxDaily - portfolio.spentToday), 'risk.maxDailySol'],
    [maxBigint(0n, limits.maxExposure - portfolio.exposure), 'risk.maxExposureSol'],
    [bankroll, 'risk.minBalanceSol'],
  ];
  if (limits.maxCategoryExposure !== null) {
    const used = portfolio.exposureByCategory.get(narrative.category) ?? 0n;
    caps.push([maxBigint(0n, limits.maxCategoryExposure - used), `risk.maxCategoryExposureSol (${narrative.category})`]);
  }
  for (const [cap, key] of caps) {
    if (stake > cap) {
      stake = minBigint(stake, cap);
      reasons.push(`clamped by ${key}`);
    }
  }
  if (stake < limits.minStake) {
    const limit = reasons.filter((r) => r.startsWith('clamped by ')).pop()?.slice('clamped by '.length);
    return skip(input, [`stake below risk.minStakeSol${limit ? ` (${limit} leaves too little)` : ''}`, ...reasons], edge, expectedValue);
  }
  return {
    narrativeId: narrative.id,
    action: 'back',
    stakeLamports: stake,
    pTrue: forecast.pTrue,
    confidence: forecast.confidence,
    edge,
    expectedValue,
    reasons,
  };
}
