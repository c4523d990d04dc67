// Pyth's Hermes service (PROTOCOL.md section 8): spot prices by feed id (price × 10^expo). Hermes serves no plain
// history, so history is what this process has observed since it started (one point per fresh price): price
// strategies that need volatility decline until enough points exist. An API key (prices.apiKey) goes in x-api-key.
import { MagmaError } from '../core/errors.js';
import type { HttpTransport } from '../http/transport.js';
import { PRICES_MAX_BYTES, type PricePoint, type PriceSource } from '../ports/price-source.js';

/** Ticker → Pyth price feed id (Crypto.X/USD). */
export const PYTH_FEED_IDS: Readonly<Record<string, string>> = {
  SOL: 'ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d',
  BTC: 'e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43',
  ETH: 'ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace',
};

const MAX_OBSERVED = 5_000;

export class PythPriceSource implements PriceSource {
  private readonly observed = new Map<string, PricePoint[]>();

  constructor(private readonly transport: HttpTransport, private readonly apiKey: string | null) {}

  async getPrice(asset: string, signal?: AbortSignal): Promise<number> {
    const symbol = asset.toUpperCase();
    const feed = PYTH_FEED_IDS[symbol];
    if (!feed) throw new MagmaError('API_NOT_FOUND', `no Pyth feed id known for ${asset}.`, { context: { asset } });
    const route = '/v2/updates/price/latest';
    const res = await this.transport.call({
      method: 'GET', path: `${route}?ids[]=${feed}&parsed=true`, route, family: 'prices', signal, maxBytes: PRICES_MAX_BYTES,
      ...(this.apiKey ? { headers: { 'x-api-key': this.apiKey } } : {}),
    });
    if (res.status === 429) throw new MagmaError('API_RATE_LIMITED', 'Pyth Hermes rate-limited the price request (429; it lasts 60 s).', { context: { route, status: 429, retryAfterMs: 60_000 } });
    if (res.status !== 200 || !res.isJson) throw new MagmaError('API_UNAVAILABLE', `Pyth Hermes answered ${res.status}.`, { context: { route, status: res.status } });
    if (typeof res.body !== 'object' || res.body === null) throw new MagmaError('API_MALFORMED', 'Pyth Hermes answered with JSON that is not an object.', { context: { route } });
    const parsed = (res.body as { parsed?: Array<{ id?: string; price?: { price?: unknown; expo?: unknown; publish_time?: unknown } }> }).parsed;
    const item = Array.isArray(parsed) ? parsed.find((p) => typeof p?.id === 'string' && p.id.replace(/^0x/, '') === feed)?.price : undefined;
    const raw = typeof item?.price === 'string' ? Number(item.price) : NaN;
    const expo = typeof item?.expo === 'number' ? item.expo : NaN;
    const price = raw * 10 ** expo;
    if (!Number.isFinite(price) || price <= 0) throw new MagmaError('API_MALFORMED', `Pyth Hermes gave no usable price for ${symbol}.`, { context: { asset } });
    const t = typeof item?.publish_time === 'number' ? item.publish_time * 1000 : Date.now();
    const series = this.observed.get(symbol) ?? [];
    if (!series.length || series[series.length - 1]!.t < t) series.push({ t, price });
    if (series.length > MAX_OBSERVED) series.splice(0, series.length - MAX_OBSERVED);
    this.observed.set(symbol, series);
    return price;
  }

  async getHistory(asset: string, sinceMs: number): Promise<PricePoint[]> {
    return (this.observed.get(asset.toUpperCase()) ?? []).filter((p) => p.t >= sinceMs);
  }
}
