// Builds the Magus judge strategies may use when it is configured (magus.url and MAGUS_API_KEY); null otherwise.
// Its transport is separate from MAGMA's (another host, another key, replies that take minutes). Its answers are
// kept in the usage store's database (magus-source.ts), so a restart asks nothing it already asked.
import type { Config } from '../config/schema.js';
import type { StrategyMagusSource } from '../core/strategy.js';
import { HttpTransport, STREAM_TIMEOUT_MS } from '../http/transport.js';
import type { Clock } from '../ports/clock.js';
import type { MagusAnswerStore, MagusUsageStore } from '../ports/magus.js';
import type { ApiCallRecord } from '../ports/store.js';
import { MagusClient } from './magus-client.js';
import { magusSource } from './magus-source.js';

export function createMagus(input: {
  config: Config['magus'];
  usage: MagusUsageStore & MagusAnswerStore;
  clock: Clock;
  onCall?: (call: ApiCallRecord) => void;
  nowIso?: () => string;
}): { source: StrategyMagusSource; close(): Promise<void> } | null {
  const { config } = input;
  if (!config.url || !config.apiKey) return null;
  const transport = new HttpTransport({
    baseUrl: config.url, timeoutMs: STREAM_TIMEOUT_MS,
    ...(input.onCall ? { onCall: input.onCall } : {}), ...(input.nowIso ? { nowIso: input.nowIso } : {}),
  });
  const client = new MagusClient({ transport, apiKey: config.apiKey, usage: input.usage, dailyCreditCap: config.dailyCreditCap, clock: input.clock });
  return { source: magusSource(client, input.usage, input.clock), close: () => transport.close() };
}
