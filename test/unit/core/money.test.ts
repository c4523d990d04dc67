import { describe, expect, it } from 'vitest';
import { formatSol, lamportsToSol, solToLamports } from '../../../src/core/money.js';

describe('money', () => {
  it('converts SOL to lamports exactly, without float drift', () => {
    expect(solToLamports(0.001)).toBe(1_000_000n);
    expect(solToLamports(0.1 + 0.2)).toBe(300_000_000n);
    expect(solToLamports(10)).toBe(10_000_000_000n);
    expect(solToLamports(142.5)).toBe(142_500_000_000n);
    expect(solToLamports(-1.5)).toBe(-1_500_000_000n);
  });

  it('reads an amount past 2^53 lamports as it was written, not as the double\'s binary expansion', () => {
    expect(solToLamports(2125568899.433576)).toBe(2_125_568_899_433_576_000n); // toFixed(9) gave …576107
    expect(solToLamports(-2125568899.433576)).toBe(-2_125_568_899_433_576_000n);
    expect(solToLamports(9_223_372_036.85477)).toBe(9_223_372_036_854_770_000n); // toFixed(9) gave …770660
    expect(solToLamports(1e21)).toBe(10n ** 30n);
    // Near 2^53 lamports the float product is off by a lamport: read from the decimal form instead.
    expect(solToLamports(8958237.329375)).toBe(8_958_237_329_375_000n); // the product gave …375001
    expect(solToLamports(8979133.196584)).toBe(8_979_133_196_584_000n); // the product gave …583999
    expect(solToLamports(1_125_899.906842)).toBe(1_125_899_906_842_000n); // just under 2^50 lamports: the product, exact
    expect(solToLamports(12345678.9)).toBe(12_345_678_900_000_000n);
    // More than nine decimals: rounded to the nearest lamport, half up.
    expect(solToLamports(0.1234567891234)).toBe(123_456_789n);
    expect(solToLamports(1.5e-7)).toBe(150n);
    expect(solToLamports(5e-10)).toBe(1n);
    expect(solToLamports(4.9e-10)).toBe(0n);
    expect(solToLamports(123456789.0123456789)).toBe(123_456_789_012_345_670n); // the double reads 123456789.01234567
  });

  it('converts lamports back to SOL for display', () => {
    expect(lamportsToSol(1_500_000_000n)).toBe(1.5);
    expect(lamportsToSol(1n)).toBe(1e-9);
    expect(formatSol(1_234_500_000n, 3)).toBe('1.234 SOL');
  });

  it('refuses amounts that are not finite numbers', () => {
    expect(() => solToLamports(Number.NaN)).toThrow(RangeError);
    expect(() => solToLamports(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
