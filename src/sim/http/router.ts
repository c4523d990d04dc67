// A minimal router for the simulator: method + path pattern (":name" segments) → handler. Route families register
// themselves (src/sim/routes/*), so the simulator grows one module at a time.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SimRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  ip: string;
  /** Set on an x402-gated route once the payment settled: the payer's address (src/sim/x402). */
  paidBy?: string;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw text instead of JSON (e.g. an HTML error page fault). */
  text?: string;
  /** Faults below HTTP: never answer (hang) or drop the connection (reset). */
  action?: 'hang' | 'reset';
}

export type Handler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, path: string, handler: Handler): void {
    const names: string[] = [];
    const source = path.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), names, handler });
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | 'method' | null {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      const params: Record<string, string> = {};
      r.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      return { handler: r.handler, params };
    }
    return pathMatched ? 'method' : null;
  }
}

export type RouteFamily = (router: Router) => void;

export function json(status: number, body: unknown, headers?: Record<string, string>): SimResponse {
  return headers ? { status, body, headers } : { status, body };
}

export function reply(res: ServerResponse, r: SimResponse): void {
  const headers: Record<string, string> = { ...r.headers };
  let payload: string;
  if (r.text !== undefined) {
    payload = r.text;
    headers['content-type'] ??= 'text/html; charset=utf-8';
  } else {
    payload = JSON.stringify(r.body ?? {}, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    headers['content-type'] = 'application/json; charset=utf-8';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(r.status, headers);
  res.end(payload);
}
