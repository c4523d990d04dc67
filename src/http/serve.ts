// Starting and stopping the agent's own small HTTP servers (webhook receiver, metrics): listen on the configured
// address with an error that says what to do, give back the base URL, and close without waiting on idle clients.
// Every server is hardened before it listens: a cap on connections, and header, request (body) and idle timeouts
// that are checked every second (Node checks every 30 s by default, so a slow client held a socket 40–90 s).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MagmaError, type ErrorCode } from '../core/errors.js';

export interface ServerLimits {
  /** Open connections at once; more are refused (closed) at once. */
  maxConnections: number;
  /** Time for a request's headers to arrive. */
  headersTimeoutMs: number;
  /** Time for a whole request, body included. */
  requestTimeoutMs: number;
  /** A connection with no traffic for this long is closed (also between keep-alive requests). */
  idleTimeoutMs: number;
  /** How often the header and request timeouts are checked. */
  checkIntervalMs: number;
}

export const SERVER_LIMITS: ServerLimits = { maxConnections: 64, headersTimeoutMs: 5_000, requestTimeoutMs: 10_000, idleTimeoutMs: 10_000, checkIntervalMs: 1_000 };

/** Applies the limits (tightening what the server set itself); must run before listen(). */
export function hardenServer(server: Server, limits: ServerLimits = SERVER_LIMITS): void {
  const tighter = (current: number, limit: number) => (current > 0 ? Math.min(current, limit) : limit);
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = tighter(server.headersTimeout, limits.headersTimeoutMs);
  server.requestTimeout = tighter(server.requestTimeout, limits.requestTimeoutMs);
  server.keepAliveTimeout = tighter(server.keepAliveTimeout, limits.idleTimeoutMs);
  // Read when the server starts listening (it is a constructor option otherwise).
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = limits.checkIntervalMs;
  // No 'timeout' listener: an idle socket is destroyed.
  server.setTimeout(limits.idleTimeoutMs);
}

/** The config keys of each server, so that a listen error names the key to change. */
const KEYS: Partial<Record<ErrorCode, string>> = { WEBHOOK_BIND_FAILED: 'webhook', METRICS_BIND_FAILED: 'metrics' };

export async function listenOn(server: Server, bind: string, port: number, what: { code: ErrorCode; name: string; hint: string }, limits: ServerLimits = SERVER_LIMITS): Promise<string> {
  hardenServer(server, limits);
  const key = KEYS[what.code] ?? 'server';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? err.message;
      // An address that is not this machine's, or a port below 1024 without the right: the configuration must change.
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EINVAL') {
        reject(new MagmaError('CONFIG_INVALID', `"${key}.bind" (${bind}) is not an address of this machine to listen for ${what.name} on (${code}).`, {
          cause: err, hint: `Set ${key}.bind to an address of this machine, e.g. 127.0.0.1 (or 0.0.0.0 for all), or set ${key}.enabled to false.`,
        }));
        return;
      }
      if (code === 'EACCES') {
        reject(new MagmaError('CONFIG_INVALID', `"${key}.port" (${port}) may not be used by this user to listen for ${what.name} (EACCES).`, {
          cause: err, hint: `Set ${key}.port to 1024 or above, or set ${key}.enabled to false.`,
        }));
        return;
      }
      const detail = code === 'EADDRINUSE' ? `${key}.port ${port} is already in use` : code;
      reject(new MagmaError(what.code, `cannot listen for ${what.name} on ${bind}:${port} (${detail}).`, { cause: err, hint: what.hint }));
    });
    server.listen(port, bind, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return `http://${bind.includes(':') ? `[${bind}]` : bind}:${actual}`;
}

export async function closeServer(server: Server | null): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
