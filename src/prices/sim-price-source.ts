// The `sim` price source: reads the simulator's own price routes (/__sim/prices, /__sim/prices/history) over the
// shared HTTP transport, so strategies rehearse against the same price paths that decide MARKET narratives.
import { MagmaError } from '../core/errors.js';
import type { HttpTransport } from '../http/transport.js';
import { retryAfterMs } from '../magma/response-error.js';
import { PRICES_MAX_BYTES, type PricePoint, type PriceSource } from '../ports/price-source.js';

function malformed(route: string, why: string): MagmaError {
  return new MagmaError('API_MALFORMED', `${route} answered with ${why}.`, { context: { route } });
}

export class SimPriceSource implements PriceSource {
  constructor(private readonly transport: HttpTransport) {}

  private async get(path: string, route: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const res = await this.transport.call({ method: 'GET', path, route, family: 'prices', signal, maxBytes: PRICES_MAX_BYTES });
    if (res.status !== 200) {
      const message = `${route} answered ${res.status}.`;
      const hint = 'Check that the simulator is running (prices.url).';
      const context = { route, status: res.status };
      if (res.status === 429) throw new MagmaError('API_RATE_LIMITED', message, { context: { ...context, retryAfterMs: retryAfterMs(res) ?? 60_000 }, hint });
      throw new MagmaError(res.status >= 500 ? 'API_UNAVAILABLE' : 'API_BAD_REQUEST', message, { context, hint });
    }
    if (!res.isJson || typeof res.body !== 'object' || res.body === null) throw malformed(route, 'a body that is not a JSON object');
    return res.body as Record<string, unknown>;
  }

  async getPrice(asset: string, signal?: AbortSignal): Promise<number> {
    const symbol = asset.toUpperCase();
    const body = await this.get(`/__sim/prices?assets=${encodeURIComponent(symbol)}`, '/__sim/prices', signal);
    const price = (body.prices as Record<string, unknown> | undefined)?.[symbol];
    if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) throw malformed('/__sim/prices', `no positive price for ${symbol}`);
    return price;
  }

  async getHistory(asset: string, sinceMs: number, signal?: AbortSignal): Promise<PricePoint[]> {
    const symbol = asset.toUpperCase();
    const body = await this.get(`/__sim/prices/history?asset=${encodeURIComponent(symbol)}&since=${Math.floor(sinceMs)}`, '/__sim/prices/history', signal);
    if (!Array.isArray(body.prices)) throw malformed('/__sim/prices/history', 'no prices list');
    return body.prices.map((p: unknown) => {
      if (!Array.isArray(p) || typeof p[0] !== 'number' || !Number.isFinite(p[0]) || typeof p[1] !== 'number' || !Number.isFinite(p[1]) || p[1] <= 0) {
        throw malformed('/__sim/prices/history', 'a point that is not [ms, positive price]');
      }
      return { t: p[0], price: p[1] };
    });
  }
}
