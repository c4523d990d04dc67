import { describe, expect, it } from 'vitest';
import { calibrate } from '../../../src/core/calibration.js';

describe('calibration', () => {
  it('scores forecasts with the Brier score', () => {
    const c = calibrate([{ pTrue: 0.9, outcome: true }, { pTrue: 0.2, outcome: false }, { pTrue: 0.6, outcome: false }]);
    expect(c.n).toBe(3);
    expect(c.brier).toBeCloseTo((0.01 + 0.04 + 0.36) / 3, 12);
    expect(c.hitRate).toBeCloseTo(2 / 3, 12);
    expect(c.baseline).toBe(0.25);
  });

  it('always-0.5 scores exactly the baseline; nothing scored gives nulls', () => {
    expect(calibrate([{ pTrue: 0.5, outcome: true }, { pTrue: 0.5, outcome: false }]).brier).toBe(0.25);
    expect(calibrate([])).toEqual({ n: 0, brier: null, baseline: null, hitRate: null });
  });
});
