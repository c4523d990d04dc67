import { describe, expect, it } from 'vitest';
import { poolOpinions } from '../../../src/core/ensemble.js';

describe('ensemble (log-odds pooling)', () => {
  it('returns one opinion unchanged', () => {
    const f = poolOpinions([{ strategy: 'a', weight: 1, opinion: { pTrue: 0.8, confidence: 0.5 } }]);
    expect(f!.pTrue).toBeCloseTo(0.8, 10);
    expect(f!.confidence).toBeCloseTo(0.5, 10);
  });

  it('weights by confidence × weight in log-odds space', () => {
    // logit(0.9) = 2.197, logit(0.5) = 0; weights 0.9×1 and 0.3×1 → pooled logit 2.197 × 0.75 = 1.648
    const f = poolOpinions([
      { strategy: 'a', weight: 1, opinion: { pTrue: 0.9, confidence: 0.9 } },
      { strategy: 'b', weight: 1, opinion: { pTrue: 0.5, confidence: 0.3 } },
    ]);
    expect(f!.pTrue).toBeCloseTo(1 / (1 + Math.exp(-Math.log(9) * 0.75)), 10);
    expect(f!.contributors).toBe(2);
  });

  it('ignores zero weights and zero confidence, and gives null when nothing is left', () => {
    expect(poolOpinions([])).toBeNull();
    expect(poolOpinions([{ strategy: 'a', weight: 0, opinion: { pTrue: 0.9, confidence: 1 } }])).toBeNull();
    expect(poolOpinions([{ strategy: 'a', weight: 1, opinion: { pTrue: 0.9, confidence: 0 } }])).toBeNull();
  });

  it('stays finite at certainty', () => {
    const f = poolOpinions([
      { strategy: 'a', weight: 1, opinion: { pTrue: 1, confidence: 1 } },
      { strategy: 'b', weight: 1, opinion: { pTrue: 0, confidence: 1 } },
    ]);
    expect(f!.pTrue).toBeCloseTo(0.5, 6);
  });

  it('gives no forecast, never NaN, when weights overflow the sums (a NaN forecast once failed every tick)', () => {
    expect(poolOpinions([
      { strategy: 'a', weight: 1e308, opinion: { pTrue: 0.99, confidence: 1 } },
      { strategy: 'b', weight: 1e308, opinion: { pTrue: 0.01, confidence: 1 } },
    ])).toBeNull();
  });
});
