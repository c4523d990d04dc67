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
  /**
   * What getPrice would answer, at once, when the source holds its prices in memory (a recording); undefined when it
   * would have to ask (then call getPrice). Lets the strategies' price view refresh without a promise.
   */
  priceNow?(asset: string): number | undefined;
  /** What getHistory would answer, at once, when the source holds its prices in memory (a recording); likewise. */
  historyNow?(asset: string, sinceMs: number): PricePoint[] | undefined;
}

/** The most bytes a price answer may have (history over months included); bigger is refused as malformed. */
export const PRICES_MAX_BYTES = 4 * 1024 * 1024;
