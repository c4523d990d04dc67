import { describe, expect, it } from 'vitest';
import { calibrate, reliabilityBins } from '../../../src/core/calibration.js';

describe('calibration', () => {
  it('scores forecasts with the Brier score', () => {
    const c = calibrate([{ pTrue: 0.9, outcome: true }, { pTrue: 0.2, outcome: false }, { pTrue: 0.6, outcome: false }]);
    expect(c.n).toBe(3);
    expect(c.brier).toBeCloseTo((0.01 + 0.04 + 0.36) / 3, 12);
    expect(c.hitRate).toBeCloseTo(2 / 3, 12);
    expect(c.baseline).toBe(0.25);
    expect(c.logLoss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.4)) / 3, 12);
  });

  it('always-0.5 has a log loss of ln 2; a certain forecast that is wrong is clipped, not infinite', () => {
    expect(calibrate([{ pTrue: 0.5, outcome: true }, { pTrue: 0.5, outcome: false }]).logLoss).toBeCloseTo(Math.LN2, 12);
    expect(calibrate([{ pTrue: 1, outcome: false }]).logLoss).toBeCloseTo(-Math.log(1e-4), 9);
  });

  it('bins forecasts for a reliability diagram: mean forecast, outcome frequency and count per bin', () => {
    const bins = reliabilityBins([
      { pTrue: 0.05, outcome: false }, { pTrue: 0.15, outcome: false }, { pTrue: 0.12, outcome: true },
      { pTrue: 0.95, outcome: true }, { pTrue: 1, outcome: true },
    ]);
    expect(bins.map((b) => [b.lo, b.n])).toEqual([[0, 1], [0.1, 2], [0.9, 2]]);
    expect(bins[1]!.meanForecast).toBeCloseTo(0.135, 12);
    expect(bins[1]!.frequency).toBe(0.5);
    expect(bins[2]!.frequency).toBe(1);
  });

  it('always-0.5 scores exactly the baseline; nothing scored gives nulls', () => {
    expect(calibrate([{ pTrue: 0.5, outcome: true }, { pTrue: 0.5, outcome: false }]).brier).toBe(0.25);
    expect(calibrate([])).toEqual({ n: 0, brier: null, baseline: null, hitRate: null, logLoss: null });
  });
});
