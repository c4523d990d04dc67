// A loopback HTTP receiver standing in for Slack, Discord, a Telegram relay or any JSON webhook: records bodies.
import { createServer, type Server } from 'node:http';

export async function alertReceiver(status = 200): Promise<{ url: string; bodies: unknown[]; close(): Promise<void>; waitFor(pred: (b: unknown[]) => boolean, timeoutMs?: number): Promise<void> }> {
  const bodies: unknown[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      try {
        bodies.push(JSON.parse(text));
      } catch {
        bodies.push(text);
      }
      res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/secret-token-abcdef`,
    bodies,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
    waitFor(pred, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const t = setInterval(() => {
          if (pred(bodies)) {
            clearInterval(t);
            resolve();
          } else if (Date.now() - started > timeoutMs) {
            clearInterval(t);
            reject(new Error(`alerts received: ${JSON.stringify(bodies)}`));
          }
        }, 20);
      });
    },
  };
}
