// Receives MAGMA webhook deliveries (narrative.created, narrative.resolved). No signature or payload shape is
// documented (PROTOCOL.md section 1), so a delivery is only a hint to poll now: nothing in its body decides money.
// It accepts only POSTs to a path carrying an unguessable token, bodies of at most 64 KiB that are valid JSON, and
// listens on the configured bind address (loopback by default; put a TLS proxy in front for the public URL).
import { createServer, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '../log/logger.js';
import { closeServer, listenOn, type ServerLimits } from '../http/serve.js';

export const WEBHOOK_PATH_PREFIX = '/magma/webhook/';
export const MAX_WEBHOOK_BODY = 64 * 1024;

export interface WebhookReceiverOptions {
  bind: string;
  port: number;
  token: string;
  logger: Logger;
  /** Called for each accepted delivery with a sanitised event name (or 'delivery'). */
  onHint: (event: string) => void;
  /** Connection cap and timeouts (SERVER_LIMITS unless given; tests shorten them). */
  limits?: ServerLimits;
}

function tokenMatches(path: string, token: string): boolean {
  if (!path.startsWith(WEBHOOK_PATH_PREFIX)) return false;
  const given = Buffer.from(path.slice(WEBHOOK_PATH_PREFIX.length));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export class WebhookReceiver {
  private server: Server | null = null;
  accepted = 0;
  rejected = 0;

  constructor(private readonly o: WebhookReceiverOptions) {}

  /** The path part of the URL to register (append it to webhook.publicUrl). */
  get path(): string {
    return WEBHOOK_PATH_PREFIX + this.o.token;
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const answer = (status: number) => {
        // Once per request: a request that errors after its answer (a client cut off after a 413) is not answered twice.
        if (res.headersSent) return;
        if (status !== 204) this.rejected++;
        res.writeHead(status, { 'content-length': '0', connection: 'close' });
        res.end();
      };
      const path = (req.url ?? '').split('?')[0]!;
      if (!tokenMatches(path, this.o.token)) {
        req.resume();
        return answer(404); // no hint that the path exists
      }
      if (req.method !== 'POST') {
        req.resume();
        return answer(405);
      }
      if (Number(req.headers['content-length'] ?? 0) > MAX_WEBHOOK_BODY) {
        req.resume();
        return answer(413);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let tooBig = false;
      req.on('data', (c: Buffer) => {
        if (tooBig) return;
        size += c.length;
        if (size <= MAX_WEBHOOK_BODY) return void chunks.push(c);
        // Answered at once, and the connection closes after the answer: a body that never ends is not read to its end.
        tooBig = true;
        chunks.length = 0;
        answer(413);
      });
      req.on('end', () => {
        if (tooBig) return;
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return answer(400);
        }
        const raw = (body as { event?: unknown; type?: unknown } | null)?.event ?? (body as { type?: unknown } | null)?.type;
        const event = typeof raw === 'string' && /^[a-z][a-z0-9._-]{0,63}$/i.test(raw) ? raw : 'delivery';
        this.accepted++;
        this.o.logger.debug('webhook.received', { event });
        this.o.onHint(`webhook ${event}`);
        answer(204);
      });
      req.on('error', () => answer(400));
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 15_000;
    const base = await listenOn(server, this.o.bind, this.o.port, {
      code: 'WEBHOOK_BIND_FAILED', name: 'webhooks',
      hint: 'Choose a free webhook.port and an address of this machine for webhook.bind, or set webhook.enabled to false.',
    }, this.o.limits);
    this.server = server;
    return base + this.path;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    await closeServer(server);
  }
}
