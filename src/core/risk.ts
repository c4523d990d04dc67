// Risk limits in lamports, derived once from config (risk.*). The protocol's own bounds are enforced here too:
// the 0.001–10 SOL per backing bounds live only in the official client, not on-chain.
import { solToLamports } from './money.js';

export const PROTOCOL_MIN_STAKE = solToLamports(0.001);
export const PROTOCOL_MAX_STAKE = solToLamports(10);

/** risk.maxDailySol counts the backings of a rolling window this long (in the clock's time: replayed in a backtest). */
export const DAILY_WINDOW_MS = 86_400_000;

let lastWindow = { nowMs: NaN, iso: '' };

/** Where the rolling window of risk.maxDailySol starts at `nowMs` (ISO, as the store compares times; the last is kept). */
export function dailyWindowStart(nowMs: number): string {
  if (nowMs !== lastWindow.nowMs) lastWindow = { nowMs, iso: new Date(nowMs - DAILY_WINDOW_MS).toISOString() };
  return lastWindow.iso;
}

export interface RiskConfig {
  minStakeSol: number;
  maxStakeSol: number;
  maxDailySol: number;
  maxOpenPositions: number;
  maxExposureSol: number;
  maxCategoryExposureSol: number | null;
  kellyFraction: number;
  minEdge: number;
  minBalanceSol: number;
  scaleIn: boolean;
}

export interface RiskLimits {
  minStake: bigint;
  maxStake: bigint;
  maxDaily: bigint;
  maxOpenPositions: number;
  maxExposure: bigint;
  maxCategoryExposure: bigint | null;
  kellyFraction: number;
  minEdge: number;
  minBalance: bigint;
  scaleIn: boolean;
}

export function riskLimits(r: RiskConfig): RiskLimits {
  const minStake = solToLamports(r.minStakeSol);
  const maxStake = solToLamports(r.maxStakeSol);
  return {
    minStake: minStake < PROTOCOL_MIN_STAKE ? PROTOCOL_MIN_STAKE : minStake,
    maxStake: maxStake > PROTOCOL_MAX_STAKE ? PROTOCOL_MAX_STAKE : maxStake,
    maxDaily: solToLamports(r.maxDailySol),
    maxOpenPositions: r.maxOpenPositions,
    maxExposure: solToLamports(r.maxExposureSol),
    maxCategoryExposure: r.maxCategoryExposureSol === null ? null : solToLamports(r.maxCategoryExposureSol),
    kellyFraction: r.kellyFraction,
    minEdge: r.minEdge,
    minBalance: solToLamports(r.minBalanceSol),
    scaleIn: r.scaleIn,
  };
}
