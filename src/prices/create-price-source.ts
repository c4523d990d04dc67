// Builds the configured price source (prices.source: coingecko | pyth | sim) on its own transport.
import type { Config } from '../config/schema.js';
import { HttpTransport } from '../http/transport.js';
import type { Clock } from '../ports/clock.js';
import type { PriceSource } from '../ports/price-source.js';
import type { ApiCallRecord } from '../ports/store.js';
import { CoinGeckoPriceSource } from './coingecko-price-source.js';
import { PythPriceSource } from './pyth-price-source.js';
import { SimPriceSource } from './sim-price-source.js';

export function createPriceSource(input: {
  config: Config['prices'];
  clock: Clock;
  timeoutMs: number;
  onCall?: (call: ApiCallRecord) => void;
  nowIso?: () => string;
}): { source: PriceSource; close(): Promise<void> } {
  const { config } = input;
  const transport = new HttpTransport({
    baseUrl: config.url, timeoutMs: input.timeoutMs, readRetries: 1,
    ...(input.onCall ? { onCall: input.onCall } : {}), ...(input.nowIso ? { nowIso: input.nowIso } : {}),
  });
  const source: PriceSource =
    config.source === 'sim' ? new SimPriceSource(transport)
      : config.source === 'pyth' ? new PythPriceSource(transport, config.apiKey)
        : new CoinGeckoPriceSource(transport, config.apiKey, () => input.clock.now());
  return { source, close: () => transport.close() };
}
