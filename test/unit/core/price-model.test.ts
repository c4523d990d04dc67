import { describe, expect, it } from 'vitest';
import { normalCdf, probabilityClose, probabilityTouch, realisedVolatility } from '../../../src/core/price-model.js';
import { Rng } from '../../../src/sim/world/rng.js';

const DAY = 86_400_000;
const YEAR = 365.25 * DAY;

describe('price model', () => {
  it('normal CDF matches known values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.975002, 5);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 5);
  });

  it('recovers the volatility of a simulated lognormal walk', () => {
    const rng = new Rng(42);
    const sigma = 0.8;
    const step = 3_600_000;
    let price = 100;
    const points = [{ t: 0, price }];
    for (let i = 1; i <= 24 * 90; i++) {
      price *= Math.exp(sigma * Math.sqrt(step / YEAR) * rng.normal());
      points.push({ t: i * step, price });
    }
    expect(realisedVolatility(points)).toBeCloseTo(sigma, 1);
    expect(realisedVolatility(points.slice(0, 2))).toBeNull();
  });

  it('close probability: at the money just under one half (driftless price), far levels near 0 or 1', () => {
    expect(probabilityClose(100, 100, 'above', 0.8, 7 * DAY)).toBeLessThan(0.5);
    expect(probabilityClose(100, 100, 'above', 0.8, 7 * DAY)).toBeGreaterThan(0.47);
    expect(probabilityClose(100, 150, 'above', 0.5, 7 * DAY)).toBeLessThan(0.001);
    expect(probabilityClose(100, 60, 'below', 0.5, 7 * DAY)).toBeLessThan(0.001);
    const above = probabilityClose(100, 110, 'above', 0.8, 30 * DAY);
    expect(above + probabilityClose(100, 110, 'below', 0.8, 30 * DAY)).toBeCloseTo(1, 10);
  });

  it('touch probability is about twice the close probability and 1 when already beyond', () => {
    const close = probabilityClose(100, 120, 'above', 0.8, 30 * DAY);
    const touch = probabilityTouch(100, 120, 'above', 0.8, 30 * DAY);
    expect(touch).toBeGreaterThan(close);
    expect(touch).toBeLessThan(2.2 * close);
    expect(probabilityTouch(100, 90, 'above', 0.8, DAY)).toBe(1);
    expect(probabilityTouch(100, 90, 'below', 0.8, 0)).toBe(0);
  });

  it('matches a Monte Carlo estimate of the touch probability', () => {
    const rng = new Rng(7);
    const sigma = 0.9;
    const steps = 200;
    const dt = (14 * DAY) / steps;
    let hits = 0;
    const trials = 4000;
    for (let k = 0; k < trials; k++) {
      let logP = 0;
      for (let i = 0; i < steps; i++) {
        logP += -(sigma * sigma / 2) * (dt / YEAR) + sigma * Math.sqrt(dt / YEAR) * rng.normal();
        if (logP >= Math.log(1.15)) { hits++; break; }
      }
    }
    // discrete monitoring misses some crossings, so the continuous formula sits a little above
    const formula = probabilityTouch(100, 115, 'above', sigma, 14 * DAY);
    expect(Math.abs(hits / trials - formula)).toBeLessThan(0.05);
  });
});
