// The one HTTP transport (undici). Its Dispatcher is the swap point: an Agent with connection reuse and timeouts in
// production, undici's MockAgent in unit tests. Reads retry with jittered exponential backoff on 5xx, timeouts and
// resets; writes are never retried here. Every call is reported (route pattern, status, latency, rate-limit headers)
// and no header value is ever put in a message.
import { Agent, request, type Dispatcher } from 'undici';
import { realSleep } from '../clock/real-sleep.js';
import { MagmaError } from '../core/errors.js';
import type { ApiCallRecord } from '../ports/store.js';

export interface TransportOptions {
  baseUrl: string;
  timeoutMs: number;
  dispatcher?: Dispatcher;
  /** Called after every attempt, for the store's api_calls table. */
  onCall?: (call: ApiCallRecord) => void;
  /** How many times a read is retried after the first attempt. */
  readRetries?: number;
  /** First backoff delay in ms (doubles each retry, with full jitter). */
  backoffMs?: number;
  /** Time for records (the clock port's ISO time; defaults to the wall clock). */
  nowIso?: () => string;
  userAgent?: string;
  /** Waits between read retries; inject the clock's sleep so tests and simulations do not wait in real time. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface HttpCall {
  method: 'GET' | 'POST';
  /** Path with its values filled in, e.g. /v1/terms/status/7xKX… */
  path: string;
  /** The route pattern recorded instead of the path, e.g. /v1/terms/status/:wallet */
  route: string;
  /** The rate-limit family the call belongs to (feed, public, backing, register, …). */
  family: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** Reads may be retried; writes never are. Defaults to GET. */
  idempotent?: boolean;
  /** The caller's own rate budget left for this family after this call, recorded beside the server's headers. */
  budgetRemaining?: number | null;
  /** Called before each retry: a retry is one more request against the server's limit, so it takes budget too. */
  beforeRetry?: (signal?: AbortSignal) => Promise<number | null>;
  /** The most bytes this route's answer may have (default MAX_BODY_BYTES); counted as they arrive, declared or not. */
  maxBytes?: number;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the response was JSON; else the text. */
  body: unknown;
  isJson: boolean;
}

/** The default bound on a response body; routes with small answers set a smaller one (HttpCall.maxBytes). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Streams (Magus SSE) end after this long whatever happens: the documented limit is 5 minutes. */
export const STREAM_TIMEOUT_MS = 5 * 60_000;
const MAX_STREAM_BYTES = 32 * 1024 * 1024;

export interface HttpStreamCall extends HttpCall {
  /** Total time the whole stream may take, headers included (default 5 minutes). */
  streamTimeoutMs?: number;
}

export interface HttpStream {
  status: number;
  headers: Record<string, string>;
  /**
   * The body as it arrives. Iterate it once, to the end or until you stop (breaking out releases the connection).
   * Failures mid-stream throw API_TIMEOUT, ABORTED or NETWORK; the call is recorded when the stream ends.
   */
  chunks: AsyncIterable<Uint8Array>;
  /** Reads the rest of the body as text (for error answers), within the same limits. */
  text(): Promise<string>;
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function intHeader(v: string | undefined): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : null;
}

const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED']);

/**
 * Reads a body as UTF-8 text, at most `limit` bytes: a declared length over it is refused before reading, and the
 * bytes are counted as they arrive (a body without content-length that never ends stops at the limit, not at memory's).
 */
async function readBounded(body: Dispatcher.ResponseData['body'], limit: number, route: string, url: URL, declared: number): Promise<string> {
  const tooLarge = (what: string) => new MagmaError('API_MALFORMED', `${route} at ${url.origin} answered with ${what}, over this route's ${limit}-byte limit; the answer was dropped.`, {
    context: { route, limitBytes: limit },
    hint: 'Check that the URL points at the right service; a server that sends this much is broken or hostile (the daemon tries again on its next tick).',
  });
  if (Number.isFinite(declared) && declared > limit) {
    body.destroy();
    throw tooLarge(`a ${declared}-byte body`);
  }
  const parts: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limit) {
      body.destroy();
      throw tooLarge(`more than ${limit} bytes`);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts, bytes).toString('utf8');
}

export class HttpTransport {
  readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly base: URL;

  constructor(private readonly options: TransportOptions) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : options.baseUrl + '/');
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher = options.dispatcher ?? new Agent({
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 10_000,
    });
  }

  get baseUrl(): string {
    return this.base.toString();
  }

  async call(call: HttpCall): Promise<HttpResult> {
    const retries = (call.idempotent ?? call.method === 'GET') ? (this.options.readRetries ?? 2) : 0;
    let current = call;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.once(current);
        if (result.status >= 500 && attempt < retries) {
          current = await this.beforeRetry(call, attempt);
          continue;
        }
        return result;
      } catch (err) {
        const retryable = err instanceof MagmaError && (err.code === 'NETWORK' || err.code === 'API_TIMEOUT');
        if (!retryable || attempt >= retries) throw err;
        current = await this.beforeRetry(call, attempt);
      }
    }
  }

  private async beforeRetry(call: HttpCall, attempt: number): Promise<HttpCall> {
    await this.backoff(attempt, call.signal);
    if (!call.beforeRetry) return call;
    return { ...call, budgetRemaining: await call.beforeRetry(call.signal) };
  }

  private async backoff(attempt: number, signal?: AbortSignal): Promise<void> {
    const cap = (this.options.backoffMs ?? 250) * 2 ** attempt;
    await (this.options.sleep ?? realSleep)(Math.floor(Math.random() * cap), signal).catch((reason) => {
      throw new MagmaError('ABORTED', 'request cancelled while waiting to retry.', { cause: reason });
    });
  }

  /** What every request starts with: the URL, its time limit joined to the caller's signal, headers and body. */
  private prepare(call: Pick<HttpCall, 'path' | 'headers' | 'body' | 'signal'>, accept: string, limitMs: number) {
    const url = new URL(call.path.replace(/^\//, ''), this.base);
    const started = performance.now();
    const at = this.options.nowIso?.() ?? new Date().toISOString();
    const timeout = AbortSignal.timeout(limitMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept, 'user-agent': this.options.userAgent ?? 'magma-agent/0.1', ...call.headers };
    let body: string | undefined;
    if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.body);
    }
    return { url, started, at, timeout, signal, headers, body };
  }

  private async once(call: HttpCall): Promise<HttpResult> {
    const { url, started, at, timeout, signal, headers, body } = this.prepare(call, 'application/json', this.options.timeoutMs);
    const record = (status: number | null, h: Record<string, string>, errorCode: string | null) =>
      this.options.onCall?.({
        at,
        family: call.family,
        method: call.method,
        route: call.route,
        status,
        latencyMs: Math.round((performance.now() - started) * 10) / 10,
        rateLimitLimit: intHeader(h['x-ratelimit-limit']),
        rateLimitRemaining: intHeader(h['x-ratelimit-remaining']),
        rateLimitReset: h['x-ratelimit-reset'] ?? null,
        budgetRemaining: call.budgetRemaining ?? null,
        errorCode,
      });

    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { method: call.method, headers, body, signal, dispatcher: this.dispatcher });
    } catch (err) {
      const e = this.networkError(err, call, url, signal, timeout);
      record(null, {}, e.code);
      throw e;
    }
    const h = flattenHeaders(res.headers);
    let text: string;
    try {
      text = await readBounded(res.body, call.maxBytes ?? MAX_BODY_BYTES, call.route, url, Number(h['content-length'] ?? 0));
    } catch (err) {
      const e = err instanceof MagmaError ? err : this.networkError(err, call, url, signal, timeout);
      record(res.statusCode, h, e.code);
      throw e;
    }
    const isJson = (h['content-type'] ?? '').includes('json') || /^\s*[[{]/.test(text);
    let parsed: unknown = text;
    let jsonOk = false;
    if (isJson) {
      try {
        parsed = JSON.parse(text);
        jsonOk = true;
      } catch {
        parsed = text;
      }
    }
    record(res.statusCode, h, null);
    return { status: res.statusCode, headers: h, body: parsed, isJson: jsonOk };
  }

  private networkError(err: unknown, call: HttpCall, url: URL, signal: AbortSignal, timeout: AbortSignal): MagmaError {
    const where = `${call.method} ${call.route} at ${url.origin}`;
    if (call.signal?.aborted) return new MagmaError('ABORTED', `${where} was cancelled (shutting down).`, { cause: err });
    const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code ?? '';
    if (timeout.aborted || code.includes('TIMEOUT')) {
      return new MagmaError('API_TIMEOUT', `${where} did not answer within ${this.options.timeoutMs} ms.`, {
        cause: err,
        context: { code: code || 'TIMEOUT' },
        hint: 'The service may be slow or down: try again later (the daemon retries on its next tick). Raise api.timeoutMs if this persists.',
      });
    }
    void signal;
    return new MagmaError('NETWORK', `${where} failed: ${code || (err as Error).message}.`, {
      cause: err,
      context: { code, retryable: RETRYABLE_NETWORK.has(code) },
      hint: 'Check the URL and that the service is reachable from this machine (the daemon retries on its next tick).',
    });
  }

  /**
   * A POST or GET whose body is consumed as it arrives (server-sent events). Never retried: a stream that failed
   * midway cannot be resumed safely. Same headers, abort and recording as call(); the whole stream is bounded by
   * streamTimeoutMs, and the gap between chunks by the same limit (the model may think for a long time).
   */
  async stream(call: HttpStreamCall): Promise<HttpStream> {
    const limitMs = call.streamTimeoutMs ?? STREAM_TIMEOUT_MS;
    const { url, started, at, timeout, signal, headers, body } = this.prepare(call, 'text/event-stream', limitMs);
    let recorded = false;
    const record = (status: number | null, h: Record<string, string>, errorCode: string | null) => {
      if (recorded) return;
      recorded = true;
      this.options.onCall?.({
        at, family: call.family, method: call.method, route: call.route, status,
        latencyMs: Math.round((performance.now() - started) * 10) / 10,
        rateLimitLimit: intHeader(h['x-ratelimit-limit']), rateLimitRemaining: intHeader(h['x-ratelimit-remaining']),
        rateLimitReset: h['x-ratelimit-reset'] ?? null, budgetRemaining: call.budgetRemaining ?? null, errorCode,
      });
    };
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: call.method, headers, body, signal, dispatcher: this.dispatcher,
        headersTimeout: limitMs, bodyTimeout: limitMs,
      });
    } catch (err) {
      const e = this.networkError(err, call, url, signal, timeout);
      record(null, {}, e.code);
      throw e;
    }
    const h = flattenHeaders(res.headers);
    const status = res.statusCode;
    const source = res.body;
    let used = false;
    const self = this;
    async function* chunks(): AsyncGenerator<Uint8Array> {
      if (used) throw new MagmaError('API_MALFORMED', `the ${call.route} stream was read twice (a bug in magma-agent).`);
      used = true;
      let bytes = 0;
      let errorCode: string | null = null;
      try {
        for await (const chunk of source as AsyncIterable<Uint8Array>) {
          bytes += chunk.length;
          if (bytes > MAX_STREAM_BYTES) {
            throw new MagmaError('API_MALFORMED', `${call.route} streamed more than ${MAX_STREAM_BYTES} bytes.`, { context: { route: call.route, status } });
          }
          yield chunk;
        }
      } catch (err) {
        const e = err instanceof MagmaError ? err : self.networkError(err, call, url, signal, timeout);
        errorCode = e.code;
        throw e;
      } finally {
        if (!source.destroyed) source.destroy();
        record(status, h, errorCode);
      }
    }
    const iterable = chunks();
    return {
      status,
      headers: h,
      chunks: iterable,
      async text() {
        const decoder = new TextDecoder();
        let out = '';
        for await (const c of iterable) {
          out += decoder.decode(c, { stream: true });
          if (out.length > MAX_BODY_BYTES) break;
        }
        return out + decoder.decode();
      },
    };
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}
