// Money is lamports as bigint everywhere inside; SOL as a number only at the edges (display, API bodies).

export const LAMPORTS_PER_SOL = 1_000_000_000n;
/** The most lamports the store (SQLite INTEGER, int64) and the chain (u64, kept signed here) can hold. */
export const MAX_LAMPORTS = 2n ** 63n - 1n;
/** The largest whole SOL amount whose lamports fit MAX_LAMPORTS: amounts above it are corruption, not money. */
export const MAX_SOL = 9_223_372_036;

/** Below this many lamports a double's product by 1e9 is within a quarter lamport of the decimal it was read from. */
const FAST_LAMPORTS = 2 ** 50;

/**
 * Exact SOL → lamports for a decimal number (rounded to the nearest lamport, half up): the number as it was written,
 * its shortest decimal form (what JSON.parse read), not the binary double's longer expansion.
 */
export function solToLamports(sol: number): bigint {
  if (!Number.isFinite(sol)) throw new RangeError(`not a finite SOL amount: ${sol}`);
  // The common case, without strings: a whole number of lamports up to float noise (the decimal rounding below
  // would give the same). Only below 2^50 lamports (about 1.1 M SOL), where the product's error (the double's own
  // and the multiplication's) stays under a quarter lamport: nearer 2^53 it reached a whole lamport
  // (8958237.329375 SOL came out 8958237329375001).
  const scaled = sol * 1e9;
  const rounded = Math.round(scaled);
  if (Math.abs(scaled - rounded) < 1e-3 && Math.abs(rounded) < FAST_LAMPORTS) return BigInt(rounded);
  const lamports = decimalLamports(String(Math.abs(sol)));
  return sol < 0 ? -lamports : lamports;
}

/**
 * Lamports of a non-negative decimal as JavaScript writes a number ("2125568899.433576", "1.5e-7", "1e+21"). Past 2^53
 * lamports `toFixed(9)` wrote the double's binary expansion: 2125568899.433576 SOL came out 107 lamports over.
 */
function decimalLamports(text: string): bigint {
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text);
  if (!m) throw new RangeError(`not a decimal SOL amount: ${text}`);
  const fraction = m[2] ?? '';
  // value = digits × 10^exponent; lamports = value × 10^9
  const digits = BigInt(m[1]! + fraction);
  const exponent = (m[3] === undefined ? 0 : Number(m[3])) - fraction.length + 9;
  if (exponent >= 0) return digits * 10n ** BigInt(exponent);
  const unit = 10n ** BigInt(-exponent);
  return (digits + unit / 2n) / unit;
}

/** lamports → SOL number, for display and API bodies only. */
export function lamportsToSol(lamports: bigint): number {
  const negative = lamports < 0n;
  const abs = negative ? -lamports : lamports;
  const value = Number(abs / LAMPORTS_PER_SOL) + Number(abs % LAMPORTS_PER_SOL) / 1e9;
  return negative ? -value : value;
}

export function formatSol(lamports: bigint, digits = 4): string {
  return `${lamportsToSol(lamports).toFixed(digits)} SOL`;
}

export function minBigint(...values: bigint[]): bigint {
  return values.reduce((a, b) => (b < a ? b : a));
}

export function maxBigint(...values: bigint[]): bigint {
  return values.reduce((a, b) => (b > a ? b : a));
}
