// Turns one narrative's ensemble forecast into a decision: gates first, then payout-aware sizing, then every risk
// limit. Pure: the same inputs give the same decision in live, dry-run and backtest.
import type { EnsembleForecast } from './ensemble.js';
import { maxBigint } from './money.js';
import { kindsOf, reasonKind } from './reason-kind.js';
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
  reasons: readonly string[];
  /**
   * Each reason without its particulars (reasonKind of each), when the decider gave them: runs of equal skips and the
   * skip-reason counts compare these instead of reading the text. Not stored (the reasons are).
   */
  reasonKinds?: readonly string[];
}

function skip(input: DecisionInput, reasons: readonly string[], kinds: readonly string[], edge: number | null = null, expectedValue: number | null = null): Decision {
  return {
    narrativeId: input.narrative.id,
    action: 'skip',
    stakeLamports: 0n,
    pTrue: input.forecast?.pTrue ?? null,
    confidence: input.forecast?.confidence ?? null,
    edge,
    expectedValue,
    reasons,
    reasonKinds: kinds,
  };
}

// The reasons below and their kinds, each made once and shared by every decision that gives it (a backtest decides
// millions of skips; a decision's reasons are read-only).
const one = (reason: string): readonly string[] => Object.freeze([reason]);
const NOT_OPEN = kindsOf('not open for backing (oracle_status x)');
const NOT_UUID_REASONS = one('the narrative id is not a UUID: the backing program cannot take it');
const NOT_UUID = kindsOf(...NOT_UUID_REASONS);
const VERDICT_REASONS = one('a verdict on it was submitted: backing it would be a conflict of interest');
const VERDICT = kindsOf(...VERDICT_REASONS);
const NO_OPINION_REASONS = one('no strategy offered an opinion');
const NO_OPINION = kindsOf(...NO_OPINION_REASONS);
const EDGE_BELOW = kindsOf('edge below risk.minEdge (x)');
const HELD_REASONS = one('already holds a position (risk.scaleIn is off)');
const HELD = kindsOf(...HELD_REASONS);
const NO_BALANCE_REASONS = one('wallet balance unknown');
const NO_BALANCE = kindsOf(...NO_BALANCE_REASONS);
const MAX_OPEN = kindsOf('open positions at risk.maxOpenPositions (x)');
const LOW_BALANCE_REASONS = one('balance at or below risk.minBalanceSol');
const LOW_BALANCE = kindsOf(...LOW_BALANCE_REASONS);
const NO_SIZE_REASONS = one('the forecast gives no stake size (not a finite Kelly fraction)');
const NO_SIZE = kindsOf(...NO_SIZE_REASONS);
const STAKE_BELOW_KIND = reasonKind('stake below risk.minStakeSol (x)');

// The reasons that carry a value, made once per value: not open, per oracle status (a handful), and the edge, per
// thousandth of edge for the current risk.minEdge.
const notOpenReasons = new Map<string, readonly string[]>();
function notOpenReason(status: string): readonly string[] {
  let reasons = notOpenReasons.get(status);
  if (reasons === undefined) {
    reasons = one(`not open for backing (oracle_status ${status})`);
    if (notOpenReasons.size < 64) notOpenReasons.set(status, reasons);
  }
  return reasons;
}
let edgeReasonsOf = NaN;
/** The edge reasons made for the current risk.minEdge, by the edge in thousandths (index 1000 + n; -0.000 apart). */
const noEdgeReasons = () => new Array<readonly string[] | undefined>(2001).fill(undefined); // packed: indexed, never sparse
let edgeReasons = noEdgeReasons();
let negativeZeroReasons: readonly string[] | undefined;

/** [`edge below risk.minEdge (${edge.toFixed(3)} < ${minEdge})`], each distinct one made once. */
function edgeReason(edge: number, minEdge: number): readonly string[] {
  if (minEdge !== edgeReasonsOf) {
    edgeReasonsOf = minEdge;
    edgeReasons = noEdgeReasons();
    negativeZeroReasons = undefined;
  }
  // toFixed(3) rounds |edge| to the nearest thousandth, ties up: so does Math.round away from a tie. Near one (where
  // the product's rounding could tip it) and outside ±1, toFixed itself says.
  const y = Math.abs(edge) * 1000;
  const n = Math.round(y);
  if (!(y < 1000) || Math.abs(y - Math.floor(y) - 0.5) < 1e-6) return [edgeText(edge, minEdge)];
  if (n === 0 && edge < 0) return (negativeZeroReasons ??= one(edgeText(edge, minEdge)));
  const i = 1000 + (edge < 0 ? -n : n);
  return (edgeReasons[i] ??= one(edgeText(edge, minEdge)));
}

function edgeText(edge: number, minEdge: number): string {
  return `edge below risk.minEdge (${edge.toFixed(3)} < ${minEdge})`;
}

export function decideBacking(input: DecisionInput): Decision {
  const { narrative, forecast, limits, payout, portfolio } = input;
  if (!isOpenForBacking(narrative)) return skip(input, notOpenReason(narrative.oracleStatus), NOT_OPEN);
  if (!isBackableId(narrative.id)) return skip(input, NOT_UUID_REASONS, NOT_UUID);
  if (portfolio.verdictNarratives?.has(narrative.id)) return skip(input, VERDICT_REASONS, VERDICT);
  if (!forecast) return skip(input, NO_OPINION_REASONS, NO_OPINION);

  const edge = forecast.pTrue - breakEvenProbability(payout);
  const expectedValue = expectedValuePerUnit(payout, forecast.pTrue);
  if (edge < limits.minEdge) {
    return skip(input, edgeReason(edge, limits.minEdge), EDGE_BELOW, edge, expectedValue);
  }
  if (!limits.scaleIn && portfolio.heldNarratives.has(narrative.id)) {
    return skip(input, HELD_REASONS, HELD, edge, expectedValue);
  }
  if (!input.backingGate.open) {
    const reason = `gate closed: ${input.backingGate.reason}`;
    return skip(input, [reason], [reasonKind(reason)], edge, expectedValue);
  }
  if (input.balance === null) return skip(input, NO_BALANCE_REASONS, NO_BALANCE, edge, expectedValue);
  if (portfolio.openPositions >= limits.maxOpenPositions) {
    return skip(input, [`open positions at risk.maxOpenPositions (${limits.maxOpenPositions})`], MAX_OPEN, edge, expectedValue);
  }

  const reasons: string[] = [];
  const bankroll = input.balance - limits.minBalance;
  if (bankroll <= 0n) return skip(input, LOW_BALANCE_REASONS, LOW_BALANCE, edge, expectedValue);

  const fraction = kellyFraction(payout, forecast.pTrue) * limits.kellyFraction;
  if (!Number.isFinite(fraction)) return skip(input, NO_SIZE_REASONS, NO_SIZE, edge, expectedValue);
  let stake = BigInt(Math.floor(Number(bankroll) * fraction));
  reasons.push(`kelly ${(fraction * 100).toFixed(2)}% of bankroll`); // its own kind: it has no particulars in parentheses

  // The caps in order (no array of them per decision: most decisions that get here end below the minimum stake). Each
  // reason's kind is known as it is written (reasonKind of each, without reading the text back).
  const kinds: string[] = [STAKE_BELOW_KIND, reasons[0]!];
  let limit: string | null = null; // the last cap that clamped the stake
  const clamp = (cap: bigint, key: string, reason: string, kind = reason) => {
    if (stake > cap) {
      stake = cap;
      reasons.push(reason);
      kinds.push(kind);
      limit = key;
    }
  };
  clamp(limits.maxStake, 'risk.maxStakeSol', 'clamped by risk.maxStakeSol');
  clamp(maxBigint(0n, limits.maxDaily - portfolio.spentToday), 'risk.maxDailySol', 'clamped by risk.maxDailySol');
  clamp(maxBigint(0n, limits.maxExposure - portfolio.exposure), 'risk.maxExposureSol', 'clamped by risk.maxExposureSol');
  clamp(bankroll, 'risk.minBalanceSol', 'clamped by risk.minBalanceSol');
  if (limits.maxCategoryExposure !== null) {
    const used = portfolio.exposureByCategory.get(narrative.category) ?? 0n;
    const key = `risk.maxCategoryExposureSol (${narrative.category})`;
    clamp(maxBigint(0n, limits.maxCategoryExposure - used), key, `clamped by ${key}`, 'clamped by risk.maxCategoryExposureSol');
  }
  if (stake < limits.minStake) {
    return skip(input, [`stake below risk.minStakeSol${limit ? ` (${limit} leaves too little)` : ''}`, ...reasons], kinds, edge, expectedValue);
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
