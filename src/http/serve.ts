// Starting and stopping the agent's own small HTTP servers (webhook receiver, metrics): listen on the configured
// address with an error that says what to do, give back the base URL, and close without waiting on idle clients.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MagmaError, type ErrorCode } from '../core/errors.js';

export async function listenOn(server: Server, bind: string, port: number, what: { code: ErrorCode; name: string; hint: string }): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new MagmaError(what.code, `cannot listen for ${what.name} on ${bind}:${port} (${err.code ?? err.message}).`, { cause: err, hint: what.hint })));
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
