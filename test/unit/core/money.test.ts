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
