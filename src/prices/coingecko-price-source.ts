// CoinGecko's public API (PROTOCOL.md section 8), the default live price source: the narratives' own resolution
// source names it. Keyless with a low rate limit; an optional demo key goes in x-cg-demo-api-key.
import { MagmaError } from '../core/errors.js';
import type { HttpTransport } from '../http/transport.js';
import { retryAfterMs } from '../magma/response-error.js';
import { PRICES_MAX_BYTES, type PricePoint, type PriceSource } from '../ports/price-source.js';

/** Ticker → CoinGecko coin id. */
export const COINGECKO_IDS: Readonly<Record<string, string>> = {
  SOL: 'solana', BTC: 'bitcoin', ETH: 'ethereum', JUP: 'jupiter-exchange-solana', BONK: 'bonk', WIF: 'dogwifcoin',
  PYTH: 'pyth-network', JTO: 'jito-governance-token', RAY: 'raydium', BNB: 'binancecoin', XRP: 'ripple',
  DOGE: 'dogecoin', ADA: 'cardano', AVAX: 'avalanche-2',
};

const DAY = 86_400_000;

export class CoinGeckoPriceSource implements PriceSource {
  constructor(private readonly transport: HttpTransport, private readonly apiKey: string | null, private readonly now: () => number) {}

  private id(asset: string): string {
    const id = COINGECKO_IDS[asset.toUpperCase()];
    if (!id) throw new MagmaError('API_NOT_FOUND', `no CoinGecko id known for ${asset}.`, { context: { asset } });
    return id;
  }

  private async get(path: string, route: string, signal?: AbortSignal): Promise<unknown> {
    const res = await this.transport.call({
      method: 'GET', path, route, family: 'prices', signal, maxBytes: PRICES_MAX_BYTES, ...(this.apiKey ? { headers: { 'x-cg-demo-api-key': this.apiKey } } : {}),
    });
    if (res.status === 429) throw new MagmaError('API_RATE_LIMITED', `CoinGecko rate-limited ${route} (429).`, { context: { route, status: 429, retryAfterMs: retryAfterMs(res) ?? 60_000 }, hint: 'Raise prices.maxAgeSeconds, or set prices.apiKey to a CoinGecko demo key.' });
    if (res.status !== 200 || !res.isJson) throw new MagmaError('API_UNAVAILABLE', `CoinGecko answered ${res.status} on ${route}.`, { context: { route, status: res.status } });
    if (typeof res.body !== 'object' || res.body === null) throw new MagmaError('API_MALFORMED', `CoinGecko answered ${route} with JSON that is not an object.`, { context: { route } });
    return res.body;
  }

  async getPrice(asset: string, signal?: AbortSignal): Promise<number> {
    const id = this.id(asset);
    const body = await this.get(`/api/v3/simple/price?ids=${id}&vs_currencies=usd`, '/api/v3/simple/price', signal);
    const price = (body as Record<string, { usd?: unknown } | undefined>)[id]?.usd;
    if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) {
      throw new MagmaError('API_MALFORMED', `CoinGecko gave no USD price for ${id}.`, { context: { asset } });
    }
    return price;
  }

  async getHistory(asset: string, sinceMs: number, signal?: AbortSignal): Promise<PricePoint[]> {
    const id = this.id(asset);
    const days = Math.min(90, Math.max(1, Math.ceil((this.now() - sinceMs) / DAY)));
    const body = await this.get(`/api/v3/coins/${id}/market_chart?vs_currency=usd&days=${days}`, '/api/v3/coins/:id/market_chart', signal);
    const prices = (body as { prices?: unknown }).prices;
    if (!Array.isArray(prices)) throw new MagmaError('API_MALFORMED', `CoinGecko market_chart for ${id} has no prices list.`, { context: { asset } });
    const points: PricePoint[] = [];
    for (const p of prices) {
      if (Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number' && p[1] > 0 && p[0] >= sinceMs) points.push({ t: p[0], price: p[1] });
    }
    return points;
  }
}
