// The payout rule (PROTOCOL.md sections 4 and 9) reduced to what sizing needs: the net gain per unit staked when the
// narrative resolves TRUE, and the loss per unit when it resolves FALSE. Every rate is a config value.
//
// The public texts give three rules: `current` (the docs site: FALSE forfeits 35% of the principal), `legacy` (older
// docs: FALSE loses the whole principal) and `principal-protected` (INTERFACE.md's name; `protected` is the same rule:
// quickstart and legal texts, "you never lose your principal"; on FALSE the backer keeps principal and base yield, and
// 35% of the yield goes to the Echo Pool). Under it nothing of the principal is at risk, so the loss on FALSE is the
// yield given up, measured against the same SOL left in the same lending protocols: 35% of the yield a position earns
// while the narrative is open.

export const PAYOUT_RULES = ['current', 'legacy', 'principal-protected', 'protected'] as const;
export type PayoutRuleName = (typeof PAYOUT_RULES)[number];

export interface PayoutRates {
  /** Expected gross gain on TRUE per unit staked: share of pooled yield and of the losing side's forfeit. */
  trueGainRate: number;
  /** Fees taken from that gain (platform fee; legacy: protocol + creator share). */
  trueFeeRate: number;
  /** Share of principal forfeited on FALSE (current: false_forge_bps 3500; legacy: the whole stake). */
  falseLossRate: number;
}

const PRINCIPAL_PROTECTED: PayoutRates = { trueGainRate: 0.06, trueFeeRate: 0.015, falseLossRate: 0.021 };

export const PAYOUT_DEFAULTS: Record<PayoutRuleName, PayoutRates> = {
  // current docs: principal back + yield + 58% Forge share of forfeits; FALSE forfeits 35%, keeps 65% and yield.
  current: { trueGainRate: 0.06, trueFeeRate: 0.015, falseLossRate: 0.35 },
  // older docs: TRUE pays a 2% protocol fee and up to 2% creator share; FALSE loses the whole principal.
  legacy: { trueGainRate: 0.06, trueFeeRate: 0.04, falseLossRate: 1.0 },
  // principal-protected: TRUE as current; FALSE keeps principal and yield less the 35% of the yield (about 6% over a
  // position's life, as in trueGainRate) that goes to the Echo Pool: 0.35 × 0.06.
  'principal-protected': PRINCIPAL_PROTECTED,
  protected: PRINCIPAL_PROTECTED, // the same rule under its shorter name
};

export interface PayoutModel {
  rule: PayoutRuleName;
  /** Net gain per unit staked on TRUE. */
  winPerUnit: number;
  /** Loss per unit staked on FALSE (positive number). */
  lossPerUnit: number;
}

export function payoutModel(rule: PayoutRuleName, overrides: Partial<PayoutRates> = {}): PayoutModel {
  const rates = { ...PAYOUT_DEFAULTS[rule], ...overrides };
  return { rule, winPerUnit: rates.trueGainRate * (1 - rates.trueFeeRate), lossPerUnit: rates.falseLossRate };
}

/** The probability of TRUE at which backing breaks even. */
export function breakEvenProbability(m: PayoutModel): number {
  return m.lossPerUnit / (m.lossPerUnit + m.winPerUnit);
}

/** Expected profit per unit staked at probability p of TRUE. */
export function expectedValuePerUnit(m: PayoutModel, p: number): number {
  return p * m.winPerUnit - (1 - p) * m.lossPerUnit;
}

/** Full-Kelly fraction of bankroll for a bet that gains b or loses a per unit: f* = p/a − (1−p)/b, floored at 0. */
export function kellyFraction(m: PayoutModel, p: number): number {
  if (m.winPerUnit <= 0 || m.lossPerUnit <= 0) return 0;
  return Math.max(0, p / m.lossPerUnit - (1 - p) / m.winPerUnit);
}

/** Profit or loss in lamports of a settled backing under this rule (refund: zero). */
export function settledPnlLamports(m: PayoutModel, stake: bigint, outcome: 'true' | 'false' | 'refund'): bigint {
  const ppm = (x: number) => BigInt(Math.round(x * 1_000_000));
  if (outcome === 'true') return (stake * ppm(m.winPerUnit)) / 1_000_000n;
  if (outcome === 'false') return -(stake * ppm(m.lossPerUnit)) / 1_000_000n;
  return 0n;
}
