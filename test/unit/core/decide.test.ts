import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reasonKind } from '../../../src/core/reason-kind.js';
import { decideBacking, type DecisionInput, type PortfolioView } from '../../../src/core/decide.js';
import { solToLamports } from '../../../src/core/money.js';
import { breakEvenProbability, expectedValuePerUnit, kellyFraction, payoutModel, settledPnlLamports } from '../../../src/core/payout.js';
import { riskLimits, type RiskConfig } from '../../../src/core/risk.js';
import { loadConfig } from '../../../src/config/load.js';

const RISK: RiskConfig = {
  minStakeSol: 0.001, maxStakeSol: 1, maxDailySol: 5, maxOpenPositions: 20, maxExposureSol: 10,
  maxCategoryExposureSol: null, kellyFraction: 0.25, minEdge: 0.02, minBalanceSol: 0.05, scaleIn: false,
};

const EMPTY: PortfolioView = { openPositions: 0, exposure: 0n, spentToday: 0n, exposureByCategory: new Map(), heldNarratives: new Set() };

function input(over: Partial<DecisionInput> & { pTrue?: number; risk?: Partial<RiskConfig> } = {}): DecisionInput {
  const { pTrue = 0.95, risk = {}, ...rest } = over;
  return {
    narrative: { id: '0b6c1f1e-6f0c-4d7e-9a57-3c1f3e1d2a01', title: 't', thesis: 't', category: 'MARKET', oracleStatus: 'live', totalBackedLamports: 0n, backerCount: 10, challengeCount: 1, createdAt: '' },
    forecast: { pTrue, confidence: 0.8, contributors: 1 },
    backingGate: { open: true, reason: null },
    balance: solToLamports(20),
    portfolio: EMPTY,
    limits: riskLimits({ ...RISK, ...risk }),
    payout: payoutModel('current'),
    ...rest,
  };
}

describe('payout rules', () => {
  it('current rule: win 6% less a 1.5% fee, lose 35% on FALSE', () => {
    const m = payoutModel('current');
    expect(m.winPerUnit).toBeCloseTo(0.0591, 10);
    expect(m.lossPerUnit).toBe(0.35);
    // break-even p = a / (a + b) = 0.35 / 0.4091
    expect(breakEvenProbability(m)).toBeCloseTo(0.855536, 5);
    // EV at p = 0.95: 0.95 × 0.0591 − 0.05 × 0.35 = 0.038645
    expect(expectedValuePerUnit(m, 0.95)).toBeCloseTo(0.038645, 6);
    // Kelly f* = p/a − q/b = 0.95/0.35 − 0.05/0.0591 = 2.714286 − 0.846024
    expect(kellyFraction(m, 0.95)).toBeCloseTo(1.868262, 5);
  });

  it('legacy rule: the whole stake is lost on FALSE, so backing needs near-certainty', () => {
    const m = payoutModel('legacy');
    expect(m.lossPerUnit).toBe(1);
    expect(m.winPerUnit).toBeCloseTo(0.0576, 10);
    // break-even 1 / 1.0576
    expect(breakEvenProbability(m)).toBeCloseTo(0.945537, 5);
    // Kelly at p = 0.99: 0.99/1 − 0.01/0.0576 = 0.816389
    expect(kellyFraction(m, 0.99)).toBeCloseTo(0.816389, 5);
    expect(kellyFraction(m, 0.9)).toBe(0);
  });

  it('principal-protected rule: FALSE gives up 35% of the yield only, so the caps, not Kelly, set the stake', () => {
    const m = payoutModel('protected');
    expect(m.lossPerUnit).toBeCloseTo(0.021, 10);
    expect(m.winPerUnit).toBeCloseTo(0.0591, 10);
    // break-even 0.021 / (0.021 + 0.0591)
    expect(breakEvenProbability(m)).toBeCloseTo(0.262172, 5);
    expect(expectedValuePerUnit(m, 0.5)).toBeCloseTo(0.01905, 6);
    // Kelly at p = 0.6: 0.6/0.021 − 0.4/0.0591 = 21.8 bankrolls: far beyond any cap
    expect(kellyFraction(m, 0.6)).toBeGreaterThan(20);
    expect(settledPnlLamports(m, 1_000_000_000n, 'false')).toBe(-21_000_000n);
    // A 0.6 opinion is backed, up to risk.maxStakeSol, where the current rule skips it.
    expect(decideBacking(input({ pTrue: 0.6 })).action).toBe('skip');
    const backed = decideBacking(input({ pTrue: 0.6, payout: m }));
    expect(backed.action).toBe('back');
    expect(backed.stakeLamports).toBe(solToLamports(1));
    expect(backed.reasons).toContain('clamped by risk.maxStakeSol');
  });

  it('the principal-protected rule is selected in config by the name INTERFACE.md gives it (or its short name)', () => {
    for (const rule of ['principal-protected', 'protected']) {
      const { config } = loadConfig({ env: {}, flags: { 'payout.rule': rule } });
      expect(payoutModel(config.payout.rule).lossPerUnit).toBeCloseTo(0.021, 10);
    }
  });

  it('every rate can be overridden from config', () => {
    const m = payoutModel('current', { falseLossRate: 0.5, trueGainRate: 0.1, trueFeeRate: 0 });
    expect(m).toEqual({ rule: 'current', winPerUnit: 0.1, lossPerUnit: 0.5 });
  });

  it('settles profit and loss in lamports', () => {
    const m = payoutModel('current');
    expect(settledPnlLamports(m, 1_000_000_000n, 'true')).toBe(59_100_000n);
    expect(settledPnlLamports(m, 1_000_000_000n, 'false')).toBe(-350_000_000n);
    expect(settledPnlLamports(m, 1_000_000_000n, 'refund')).toBe(0n);
  });
});

describe('sizing a backing', () => {
  it('stakes a quarter-Kelly share of the bankroll (balance less the fee reserve)', () => {
    // risk.maxStakeSol raised so the Kelly stake shows: bankroll 19.95 SOL × 0.25 × f*(0.9)
    const d = decideBacking(input({ pTrue: 0.9, risk: { maxStakeSol: 10 } }));
    const f = kellyFraction(payoutModel('current'), 0.9) * 0.25; // (0.9/0.35 − 0.1/0.0591) × 0.25
    expect(f).toBeCloseTo(0.219845, 5); // (2.571429 − 1.692047) × 0.25
    expect(d.action).toBe('back');
    expect(Number(d.stakeLamports)).toBeCloseTo(19.95e9 * f, -3);
    expect(d.edge).toBeCloseTo(0.9 - 0.855536, 5);
  });

  it('clamps to risk.maxStakeSol and says so', () => {
    const d = decideBacking(input({ pTrue: 0.95 }));
    expect(d.stakeLamports).toBe(solToLamports(1));
    expect(d.reasons).toContain('clamped by risk.maxStakeSol');
  });

  it('clamps to what is left of the daily budget, exposure and category exposure', () => {
    const portfolio: PortfolioView = {
      ...EMPTY, spentToday: solToLamports(4.7), exposure: solToLamports(9.8),
      exposureByCategory: new Map([['MARKET', solToLamports(1.9)]]), openPositions: 3,
    };
    const daily = decideBacking(input({ portfolio: { ...portfolio, exposure: 0n } }));
    expect(daily.stakeLamports).toBe(solToLamports(0.3));
    expect(daily.reasons).toContain('clamped by risk.maxDailySol');
    const exposure = decideBacking(input({ portfolio }));
    expect(exposure.stakeLamports).toBe(solToLamports(0.2));
    expect(exposure.reasons).toContain('clamped by risk.maxExposureSol');
    const category = decideBacking(input({ portfolio: { ...portfolio, spentToday: 0n, exposure: 0n }, risk: { maxCategoryExposureSol: 2 } }));
    expect(category.stakeLamports).toBe(solToLamports(0.1));
  });

  it('skips when the edge is below risk.minEdge', () => {
    const d = decideBacking(input({ pTrue: 0.86 }));
    expect(d.action).toBe('skip');
    expect(d.reasons[0]).toMatch(/^edge below risk.minEdge/);
  });

  it('words its reasons exactly, whatever limits came before (texts made once are made per value)', () => {
    const edge = (p: number, minEdge: number) => decideBacking(input({ pTrue: p, risk: { minEdge } })).reasons;
    const be = breakEvenProbability(payoutModel('current'));
    expect(edge(0.86, 0.02)).toEqual([`edge below risk.minEdge (${(0.86 - be).toFixed(3)} < 0.02)`]);
    expect(edge(0.86, 0.05)).toEqual([`edge below risk.minEdge (${(0.86 - be).toFixed(3)} < 0.05)`]);
    expect(edge(0.5, 0.02)).toEqual([`edge below risk.minEdge (${(0.5 - be).toFixed(3)} < 0.02)`]);
    const status = (oracleStatus: string) => decideBacking(input({ narrative: { ...input().narrative, oracleStatus } })).reasons;
    expect(status('resolved')).toEqual(['not open for backing (oracle_status resolved)']);
    expect(status('challenged')).toEqual(['not open for backing (oracle_status challenged)']);
    expect(status('resolved')).toEqual(['not open for backing (oracle_status resolved)']);
    // a cap that leaves too little is named, after the Kelly size and every clamp in order
    const capped = decideBacking(input({ risk: { maxStakeSol: 0.0005, maxDailySol: 0.0004 } }));
    expect(capped.reasons[0]).toBe('stake below risk.minStakeSol (risk.maxDailySol leaves too little)');
    expect(capped.reasons.slice(2)).toEqual(['clamped by risk.maxStakeSol', 'clamped by risk.maxDailySol']);
    expect(capped.reasonKinds).toEqual(capped.reasons.map(reasonKind));
  });

  it('words the edge exactly as toFixed(3) does, ties and the sign of zero included', () => {
    const be = breakEvenProbability(payoutModel('current'));
    const expected = (p: number, minEdge: number) => `edge below risk.minEdge (${(p - be).toFixed(3)} < ${minEdge})`;
    const near = fc.tuple(fc.integer({ min: -855, max: 143 }), fc.constantFrom(0.5, 0.4999999, 0.5000001, 0, 1e-9, -1e-9)).map(([k, d]) => be + (k + d) / 1000);
    fc.assert(fc.property(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), near), fc.constantFrom(0.02, 0.05, 0.2), (p, minEdge) => {
      fc.pre(p >= 0 && p <= 1 && p - be < minEdge);
      expect(decideBacking(input({ pTrue: p, risk: { minEdge } })).reasons).toEqual([expected(p, minEdge)]);
    }), { numRuns: 3000 });
    // Every thousandth and the tie after it, in both orders (a text made for one edge is reused for others that print
    // the same: a tie given the wrong thousandth would show on the next edge of that thousandth, or on itself).
    for (const [minEdge, tieFirst] of [[0.2, true], [0.21, false]] as const) {
      for (let k = -855; k <= 143; k++) {
        const tie = be + (k + 0.5) / 1000;
        const at = be + k / 1000;
        for (const p of tieFirst ? [tie, at] : [at, tie]) {
          if (p < 0 || p > 1) continue;
          expect(decideBacking(input({ pTrue: p, risk: { minEdge } })).reasons[0]).toBe(expected(p, minEdge));
        }
      }
    }
    // just below and just above the break-even: -0.000 and 0.000, in both orders
    for (const [minEdge, order] of [[0.3, [-1e-7, 1e-7]], [0.31, [1e-7, -1e-7]]] as const) {
      for (const d of order) expect(decideBacking(input({ pTrue: be + d, risk: { minEdge } })).reasons).toEqual([expected(be + d, minEdge)]);
    }
    expect(expected(be - 1e-7, 0.3)).toContain('(-0.000 <');
  });

  it('skips when the stake would fall below the minimum', () => {
    const d = decideBacking(input({ balance: solToLamports(0.052) }));
    expect(d.action).toBe('skip');
    expect(d.reasons[0]).toMatch(/^stake below risk.minStakeSol/);
  });

  it('never backs a narrative it already holds unless scaling in', () => {
    const held = { ...EMPTY, heldNarratives: new Set(['0b6c1f1e-6f0c-4d7e-9a57-3c1f3e1d2a01']), openPositions: 1 };
    expect(decideBacking(input({ portfolio: held })).action).toBe('skip');
    expect(decideBacking(input({ portfolio: held, risk: { scaleIn: true } })).action).toBe('back');
  });

  it('records the closed gate as the reason and backs nothing', () => {
    const d = decideBacking(input({ backingGate: { open: false, reason: 'protocol halted: backing' } }));
    expect(d).toMatchObject({ action: 'skip', stakeLamports: 0n });
    expect(d.reasons).toEqual(['gate closed: protocol halted: backing']);
  });

  it('backs nothing on an unknown balance, at the open-position limit, or when not open', () => {
    expect(decideBacking(input({ balance: null })).reasons).toEqual(['wallet balance unknown']);
    expect(decideBacking(input({ portfolio: { ...EMPTY, openPositions: 20 } })).action).toBe('skip');
    const pending = input();
    pending.narrative = { ...pending.narrative, oracleStatus: 'pending' };
    expect(decideBacking(pending).reasons[0]).toMatch(/not open for backing/);
    expect(decideBacking(input({ forecast: null })).reasons).toEqual(['no strategy offered an opinion']);
  });

  it('never exceeds the protocol bound of 10 SOL whatever the config says', () => {
    const limits = riskLimits({ ...RISK, maxStakeSol: 10 });
    expect(limits.maxStake).toBe(solToLamports(10));
    const d = decideBacking(input({ pTrue: 0.999, balance: solToLamports(1000), risk: { maxStakeSol: 10, maxDailySol: 100, maxExposureSol: 100 } }));
    expect(d.stakeLamports).toBe(solToLamports(10));
  });

  it('a forecast that is not a number skips with its reason instead of failing the tick on a BigInt', () => {
    const d = decideBacking(input({ pTrue: Number.NaN }));
    expect(d.action).toBe('skip');
    expect(d.reasons).toContain('the forecast gives no stake size (not a finite Kelly fraction)');
  });
});

describe('reason kinds', () => {
  it('every decision\'s reasonKinds are its reasons without their particulars', () => {
    const statuses = ['live', 'open', 'resolved_true', 'closed', 'weird (status)'];
    const held: PortfolioView = { ...EMPTY, heldNarratives: new Set(['0b6c1f1e-6f0c-4d7e-9a57-3c1f3e1d2a01']), verdictNarratives: new Set() };
    fc.assert(fc.property(
      fc.record({
        status: fc.constantFrom(...statuses), uuid: fc.boolean(), verdict: fc.boolean(), forecast: fc.boolean(), pTrue: fc.double({ min: 0, max: 1, noNaN: true }),
        held: fc.boolean(), gate: fc.constantFrom(null, 'system halted', 'paused (by the operator)'), balance: fc.constantFrom(null, 0n, solToLamports(0.06), solToLamports(20)),
        minStake: fc.constantFrom(0.001, 0.5, 5), maxOpen: fc.constantFrom(0, 20), category: fc.constantFrom(null, 0.01, 3),
      }),
      (o) => {
        const base = input({ pTrue: o.pTrue, risk: { minStakeSol: o.minStake, maxOpenPositions: o.maxOpen, maxCategoryExposureSol: o.category } });
        const d = decideBacking({
          ...base,
          narrative: { ...base.narrative, oracleStatus: o.status, id: o.uuid ? base.narrative.id : 'not-a-uuid' },
          forecast: o.forecast ? base.forecast : null,
          backingGate: o.gate === null ? { open: true, reason: null } : { open: false, reason: o.gate },
          balance: o.balance,
          portfolio: o.held ? { ...held, verdictNarratives: new Set(o.verdict ? [base.narrative.id] : []) } : { ...EMPTY, verdictNarratives: new Set(o.verdict ? [base.narrative.id] : []) },
        });
        if (d.action === 'skip') expect(d.reasonKinds).toEqual(d.reasons.map(reasonKind));
        else if (d.reasonKinds) expect(d.reasonKinds).toEqual(d.reasons.map(reasonKind));
      },
    ), { numRuns: 3_000 });
  });
});
