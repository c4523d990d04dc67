// Run keys: two skips extend one run exactly when their keys are equal, whether compared as built keys (the store)
// or field by field (the backtest's fingerprint, which builds none).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/core/decide.js';
import { reasonKind } from '../../../src/core/reason-kind.js';
import { decisionRunKey, sameDecisionRun, sameReasonKind } from '../../../src/store/run-tracker.js';

// (no "|": the built key joins with it, so a reason holding one could make two different lists one key)
const text = (maxLength: number) => fc.string({ maxLength }).filter((x) => !x.includes('|'));
const reasons = fc.array(fc.oneof(
  fc.constantFrom('edge below risk.minEdge', 'stake below risk.minStakeSol', 'already holds a position', 'kelly', 'wallet balance unknown'),
  text(12),
).chain((kind) => fc.oneof(fc.constant(kind), text(10).map((x) => `${kind} (${x})`))), { maxLength: 3 });
const decision = fc.record({
  action: fc.constantFrom('skip' as const, 'back' as const),
  pTrue: fc.oneof(fc.constant(null), fc.double({ min: 0, max: 1, noNaN: true })),
  reasons,
  kinds: fc.boolean(), // given by the decider, or left for the reader to work out
}).map(({ kinds, ...d }): Decision => ({
  narrativeId: 'n', stakeLamports: 0n, confidence: null, edge: null, expectedValue: null, ...d, ...(kinds ? { reasonKinds: d.reasons.map(reasonKind) } : {}),
}));

describe('run keys', () => {
  it('sameDecisionRun is equality of decisionRunKey', () => {
    fc.assert(fc.property(decision, decision, (a, b) => {
      expect(sameDecisionRun(a, b)).toBe(decisionRunKey(a) === decisionRunKey(b));
      expect(sameDecisionRun(a, a)).toBe(true);
    }), { numRuns: 2_000 });
    // pairs that share most of their fields, where a difference is rarest
    fc.assert(fc.property(decision, fc.double({ min: 0, max: 1, noNaN: true }), (a, p) => {
      const reasons = a.reasons.map((r) => `${reasonKind(r)} (other figures)`);
      const b = { ...a, pTrue: p, reasons, ...(a.reasonKinds ? { reasonKinds: reasons.map(reasonKind) } : {}) };
      expect(sameDecisionRun(a, b)).toBe(decisionRunKey(a) === decisionRunKey(b));
    }), { numRuns: 2_000 });
  });

  it('sameReasonKind compares what a reason says without its particulars', () => {
    expect(sameReasonKind('edge below risk.minEdge (-0.034 < 0.02)', 'edge below risk.minEdge (0.001 < 0.02)')).toBe(true);
    expect(sameReasonKind('edge below risk.minEdge', 'edge below risk.minEdge (0.001 < 0.02)')).toBe(true);
    expect(sameReasonKind('edge below risk.minEdgeX (1)', 'edge below risk.minEdge (1)')).toBe(false);
    expect(sameReasonKind('kelly 1.00% of bankroll', 'kelly 2.00% of bankroll')).toBe(false);
  });
});
