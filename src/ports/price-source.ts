// The price-source port (PROTOCOL.md section 8): current prices and history for strategies, behind one interface
// so CoinGecko, Pyth, the simulator and recorded prices are interchangeable.

export interface PricePoint {
  /** Milliseconds since the epoch. */
  t: number;
  /** USD per unit. */
  price: number;
}

export interface PriceSource {
  /** The latest USD price of `asset` (a symbol: SOL, BTC, ETH, …). */
  getPrice(asset: string, signal?: AbortSignal): Promise<number>;
  /** USD prices of `asset` from `sinceMs` to now, oldest first. */
  getHistory(asset: string, sinceMs: number, signal?: AbortSignal): Promise<PricePoint[]>;
}

/** The most bytes a price answer may have (history over months included); bigger is refused as malformed. */
export const PRICES_MAX_BYTES = 4 * 1024 * 1024;
