import { describe, expect, it } from 'vitest';
import { riskLimits } from '../../../src/core/risk.js';
import { riskRefusal } from '../../../src/executor/risk-guard.js';
import type { JournalView } from '../../../src/ports/journal.js';

const limits = riskLimits({
  minStakeSol: 0.001, maxStakeSol: 1, maxDailySol: 5, maxOpenPositions: 3, maxExposureSol: 2, maxCategoryExposureSol: 1,
  kellyFraction: 0.25, minEdge: 0.02, minBalanceSol: 0.05, scaleIn: false,
});
const empty: JournalView = { openPositions: 0, exposure: 0n, spentToday: 0n, exposureByCategory: new Map(), heldNarratives: new Set(), recentIntents: 0, inFlightNarratives: new Set(), verdictNarratives: new Set() };
const N1 = '0b6c1f1e-6f0c-4d7e-9a57-3c1f3e1d2a01';
const req = (sol: number, extra: Partial<{ narrativeId: string; category: string }> = {}) => ({ narrativeId: N1, category: 'MARKET', stakeLamports: BigInt(Math.round(sol * 1e9)), ...extra });

describe('executor risk guard', () => {
  it('lets a stake inside every limit through', () => {
    expect(riskRefusal(req(0.5), empty, limits, 9)).toBeNull();
  });

  it.each([
    ['below the protocol minimum', req(0.0005), empty, /outside the protocol's 0.001–10 SOL/],
    ['above the protocol maximum', req(11), empty, /outside the protocol's 0.001–10 SOL/],
    ['above risk.maxStakeSol', req(1.5), empty, /above risk.maxStakeSol/],
    ['over the daily total', req(0.5), { ...empty, spentToday: 4_800_000_000n }, /risk.maxDailySol/],
    ['over the exposure', req(0.5), { ...empty, exposure: 1_800_000_000n }, /risk.maxExposureSol/],
    ['over the category exposure', req(0.5), { ...empty, exposureByCategory: new Map([['MARKET', 700_000_000n]]) }, /risk.maxCategoryExposureSol/],
    ['a second position in one narrative', req(0.1), { ...empty, heldNarratives: new Set([N1]), openPositions: 1 }, /already open or in flight/],
    ['too many open positions', req(0.1), { ...empty, openPositions: 3 }, /risk.maxOpenPositions/],
    ['the backing rate', req(0.1), { ...empty, recentIntents: 9 }, /backing rate limit/],
    ['a narrative id the program cannot take', req(0.1, { narrativeId: 'n1' }), empty, /not a UUID: the backing program cannot take it/],
    ['a narrative it submitted a verdict on', req(0.1), { ...empty, verdictNarratives: new Set([N1]) }, /conflict of interest/],
    ['a second intent beside one in flight, even with scale-in', req(0.1), { ...empty, inFlightNarratives: new Set([N1]) }, /already in flight: never a second/],
  ] as const)('refuses %s', (_name, r, view, reason) => {
    expect(riskRefusal(r, view as JournalView, limits, 9)).toMatch(reason);
  });
});
