// The Magus API client (seed 000, PROTOCOL.md section 6): POST /api/v1/messages with a Bearer key, answered whole
// or streamed as server-sent events. Every call is recorded with its token usage; once the day's credits reach
// magus.dailyCreditCap (credits = prompt + completion tokens) Magus is not called until the next UTC day. A stream
// that ends without message.completed is an error, never a silently partial answer. The key never leaves in an error.
import { z } from 'zod';
import { MagmaError, isMagmaError } from '../core/errors.js';
import type { HttpTransport } from '../http/transport.js';
import { scrubError } from '../log/scrub-error.js';
import type { Clock } from '../ports/clock.js';
import type { Magus, MagusReply, MagusRequest, MagusUsageStore, MagusVerbosity } from '../ports/magus.js';
import { magusError } from './magus-error.js';
import { parseUsage, toMagusEvent, type MagusEvent } from './magus-events.js';
import { SseParseError, SseParser } from './sse-parser.js';

export const MAGUS_ROUTE = '/api/v1/messages';
const MAX_CONTENT_CHARS = 200_000;
/** A whole (non-streamed) reply: its content is cut at MAX_CONTENT_CHARS anyway. */
const MAGUS_MAX_BYTES = 2 * 1024 * 1024;

export interface MagusClientOptions {
  transport: HttpTransport;
  apiKey: string;
  usage: MagusUsageStore;
  /** Credits a UTC day may spend; 0 turns Magus off. */
  dailyCreditCap: number;
  clock: Clock;
  /** Stream answers (default) or wait for the whole reply. */
  stream?: boolean;
  verbosity?: MagusVerbosity;
  /** Longest a stream may take (default and documented maximum: 5 minutes). */
  streamTimeoutMs?: number;
  /** Sees every stream event as it arrives (progress display, debugging). */
  onEvent?: (event: MagusEvent) => void;
}

const replySchema = z.looseObject({
  id: z.string().nullish(),
  session_id: z.string().nullish(),
  conversation_id: z.string().nullish(),
  content: z.string().max(MAX_CONTENT_CHARS),
  citations: z.array(z.unknown()).nullish(),
  tool_calls: z.array(z.unknown()).nullish(),
  usage: z.unknown().optional(),
  created_at: z.string().nullish(),
});

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const nextUtcMidnight = (ms: number) => Date.parse(utcDay(ms) + 'T00:00:00Z') + 86_400_000;
/** When Magus reports no usage the call still costs: estimate ~4 characters a token so the cap holds. */
const estimateTokens = (text: string) => Math.ceil(text.length / 4);

/**
 * Failures that say Magus itself is unusable for now (a bad or disabled key, Magus down or timing out), as opposed to
 * one question going wrong: after one of them Magus is not called again until the backoff passes, so a bad key costs
 * one call per backoff period, not one per narrative. The backoff doubles per failure in a row; success resets it.
 */
const BACKOFF_CODES = new Set(['MAGUS_UNAUTHORIZED', 'MAGUS_INACTIVE', 'MAGUS_UNAVAILABLE', 'MAGUS_TIMEOUT', 'MAGUS_AGENT_ERROR', 'API_TIMEOUT', 'NETWORK',
  // an answer that is not Magus's (a wrong magus.url, a 404 or 429 page, garbage, a stream cut short or over its bounds)
  'MAGUS_MALFORMED', 'API_MALFORMED']);
export const MAGUS_BACKOFF_FIRST_MS = 30_000;
export const MAGUS_BACKOFF_MAX_MS = 15 * 60_000;

export class MagusClient implements Magus {
  /** Set by usage_limit_exceeded: the account is spent until then (clock ms). */
  private blockedUntil = 0;
  /** Credits held for calls in flight (their prompt, estimated), so concurrent calls cannot all pass the cap. */
  private reserved = 0;
  /** The last failure that makes Magus unusable for a while, and until when (clock ms) no call goes out. */
  private failure: { error: MagmaError; until: number; streak: number } | null = null;

  constructor(private readonly options: MagusClientOptions) {}

  /** Credits left today under magus.dailyCreditCap. */
  creditsLeftToday(): number {
    const spent = this.options.usage.magusCreditsOn(utcDay(this.options.clock.now()));
    return Math.max(0, this.options.dailyCreditCap - spent - this.reserved);
  }

  /** Refuses the call unless today's cap leaves room for at least its prompt. */
  private checkCap(need: number): void {
    const now = this.options.clock.now();
    const retryAfterMs = nextUtcMidnight(now) - now;
    if (this.options.dailyCreditCap <= 0) {
      throw new MagmaError('MAGUS_CREDIT_CAP', 'Magus is off: magus.dailyCreditCap is 0.', {
        context: { cap: 0 }, hint: 'Set magus.dailyCreditCap to the credits (prompt + completion tokens) Magus may spend a day.',
      });
    }
    if (now < this.blockedUntil) {
      throw new MagmaError('MAGUS_USAGE_LIMIT', "the Magus account's daily credit limit was reached earlier today.", {
        context: { retryAfterMs: this.blockedUntil - now }, hint: 'Magus is not called again until tomorrow (UTC).',
      });
    }
    if (this.failure && now < this.failure.until) {
      const { error, until } = this.failure;
      throw new MagmaError(error.code, `${error.message.replace(/\.$/, '')}; Magus is not asked again for ${Math.ceil((until - now) / 1000)} s.`, {
        context: { ...error.context, retryAfterMs: until - now, cached: true },
        ...(error.hint ? { hint: error.hint } : {}),
      });
    }
    const left = this.creditsLeftToday();
    if (left < Math.max(1, need)) {
      throw new MagmaError('MAGUS_CREDIT_CAP', `Magus's daily credit cap (${this.options.dailyCreditCap}) is spent for ${utcDay(now)} (${left} left, this call needs about ${need}).`, {
        context: { cap: this.options.dailyCreditCap, left, need, retryAfterMs }, hint: 'Magus is not called again until the next UTC day; raise magus.dailyCreditCap to allow more.',
      });
    }
  }

  private body(req: MagusRequest, stream: boolean): Record<string, unknown> {
    if (!req.content.trim()) throw new MagmaError('MAGUS_BAD_REQUEST', 'a Magus message needs content.');
    return {
      content: req.content,
      stream,
      verbosity: req.verbosity ?? this.options.verbosity ?? 'minimal',
      ...(req.sessionId ? { session_id: req.sessionId } : {}),
      ...(req.attachments?.length
        ? { attachments: req.attachments.map((a) => ({ type: 'file', name: a.name, content_type: a.contentType, data: Buffer.from(a.data).toString('base64') })) }
        : {}),
    };
  }

  /** Asks Magus: streamed unless the client was made with stream: false. */
  ask(req: MagusRequest, signal?: AbortSignal): Promise<MagusReply> {
    return this.options.stream === false ? this.message(req, signal) : this.streamMessage(req, signal);
  }

  private async run(req: MagusRequest, stream: boolean, go: () => Promise<{ reply: MagusReply; status: number }>, signal?: AbortSignal): Promise<MagusReply> {
    const { clock, usage } = this.options;
    const at = clock.now();
    const started = performance.now();
    let status: number | null = null;
    let reply: MagusReply | null = null;
    let errorCode: string | null = null;
    let sent = false;
    const hold = estimateTokens(req.content);
    try {
      this.checkCap(hold);
      sent = true;
      this.reserved += hold;
      const r = await go();
      status = r.status;
      reply = r.reply;
      this.failure = null;
      return reply;
    } catch (err) {
      errorCode = isMagmaError(err) ? err.code : 'UNEXPECTED';
      if (sent && isMagmaError(err) && BACKOFF_CODES.has(err.code) && !signal?.aborted) {
        const streak = (this.failure?.streak ?? 0) + 1;
        const stop = err.code === 'MAGUS_UNAUTHORIZED' || err.code === 'MAGUS_INACTIVE';
        const wait = stop ? MAGUS_BACKOFF_MAX_MS : Math.min(MAGUS_BACKOFF_MAX_MS, MAGUS_BACKOFF_FIRST_MS * 2 ** (streak - 1));
        this.failure = { error: scrubError(err, [this.options.apiKey]) as MagmaError, until: clock.now() + wait, streak };
      }
      const said = isMagmaError(err) ? (err.context as { status?: unknown }).status : undefined;
      status = typeof said === 'number' ? said : status;
      if (isMagmaError(err, 'MAGUS_USAGE_LIMIT') && err.context.retryAfterMs === undefined) this.blockedUntil = nextUtcMidnight(clock.now());
      throw scrubError(err, [this.options.apiKey]);
    } finally {
      // A call refused here (cap spent) never reached Magus: nothing to record.
      if (sent) {
        this.reserved -= hold;
        usage.recordMagusCall({
          at: new Date(at).toISOString(), day: utcDay(at), sessionId: req.sessionId ?? null, stream, verbosity: req.verbosity ?? this.options.verbosity ?? 'minimal',
          status, latencyMs: Math.round((performance.now() - started) * 10) / 10,
          promptTokens: reply?.promptTokens ?? 0, completionTokens: reply?.completionTokens ?? 0, credits: reply?.credits ?? 0, errorCode,
        });
      }
    }
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.options.apiKey}` };
  }

  private toReply(body: z.infer<typeof replySchema>, req: MagusRequest): MagusReply {
    const u = parseUsage(body.usage);
    const promptTokens = u?.promptTokens ?? estimateTokens(req.content);
    const completionTokens = u?.completionTokens ?? estimateTokens(body.content);
    return {
      id: body.id ?? null, sessionId: body.session_id ?? req.sessionId ?? null, conversationId: body.conversation_id ?? null, content: body.content,
      citations: body.citations ?? [], toolCalls: body.tool_calls ?? [], promptTokens, completionTokens, credits: promptTokens + completionTokens,
      createdAt: body.created_at ?? null,
    };
  }

  /** One whole reply (stream: false). A write that spends credits: never retried. */
  message(req: MagusRequest, signal?: AbortSignal): Promise<MagusReply> {
    return this.run(req, false, async () => {
      const res = await this.options.transport.call({
        method: 'POST', path: MAGUS_ROUTE, route: MAGUS_ROUTE, family: 'magus', signal, idempotent: false, headers: this.headers(), body: this.body(req, false),
        maxBytes: MAGUS_MAX_BYTES,
      });
      if (res.status >= 400) throw magusError(res.status, res.body, MAGUS_ROUTE);
      const parsed = res.isJson ? replySchema.safeParse(res.body) : null;
      if (!parsed?.success) {
        throw new MagmaError('MAGUS_MALFORMED', `Magus answered ${res.status} on ${MAGUS_ROUTE} without a usable reply (${res.isJson ? 'no "content" text' : 'not JSON'}).`, {
          context: { route: MAGUS_ROUTE, status: res.status }, hint: 'Check magus.url points at a Magus instance; this narrative goes on without Magus.',
        });
      }
      return { reply: this.toReply(parsed.data, req), status: res.status };
    }, signal);
  }

  /** A streamed reply: text.chunk deltas joined, finished by message.completed, then [DONE]. */
  streamMessage(req: MagusRequest, signal?: AbortSignal): Promise<MagusReply> {
    return this.run(req, true, async () => {
      const res = await this.options.transport.stream({
        method: 'POST', path: MAGUS_ROUTE, route: MAGUS_ROUTE, family: 'magus', signal, headers: this.headers(), body: this.body(req, true),
        ...(this.options.streamTimeoutMs ? { streamTimeoutMs: this.options.streamTimeoutMs } : {}),
      });
      if (res.status >= 400) {
        const text = await res.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: the status decides
        }
        throw magusError(res.status, body, MAGUS_ROUTE);
      }
      if ((res.headers['content-type'] ?? '').includes('application/json')) {
        // A server that ignores stream:true answers whole: accept it as such.
        const text = await res.text();
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        const parsed = replySchema.safeParse(body);
        if (!parsed.success) throw new MagmaError('MAGUS_MALFORMED', `Magus answered ${res.status} on ${MAGUS_ROUTE} without a usable reply.`, { context: { route: MAGUS_ROUTE, status: res.status } });
        return { reply: this.toReply(parsed.data, req), status: res.status };
      }
      return { reply: await this.consume(res.chunks, req, res.status), status: res.status };
    }, signal);
  }

  private async consume(chunks: AsyncIterable<Uint8Array>, req: MagusRequest, status: number): Promise<MagusReply> {
    const parser = new SseParser();
    const state = { content: '', sessionId: null as string | null, conversationId: null as string | null, messageId: null as string | null, usage: null as ReturnType<typeof parseUsage>, completed: false, done: false, unknown: 0 };
    const bad = (why: string, cause?: unknown) =>
      new MagmaError('MAGUS_MALFORMED', `the Magus stream on ${MAGUS_ROUTE} ${why}: the answer is not used.`, {
        context: { route: MAGUS_ROUTE, status }, hint: 'This narrative goes on without Magus; the next one asks again.', ...(cause ? { cause } : {}),
      });
    const handle = (e: MagusEvent) => {
      this.options.onEvent?.(e);
      switch (e.type) {
        case 'session.created':
          state.sessionId = e.sessionId;
          state.conversationId = e.conversationId;
          break;
        case 'message.started':
          state.messageId = e.messageId;
          break;
        case 'text.chunk':
          if (state.completed) throw bad('sent text after message.completed');
          state.content += e.delta;
          if (state.content.length > MAX_CONTENT_CHARS) throw bad(`sent more than ${MAX_CONTENT_CHARS} characters`);
          break;
        case 'message.completed':
          state.completed = true;
          state.usage = e.usage;
          state.messageId ??= e.messageId;
          break;
        case 'error': {
          const err = magusError(null, { error: { code: e.code ?? 'agent_error', message: e.message } }, MAGUS_ROUTE);
          throw err.code === 'MAGUS_MALFORMED' ? magusError(502, { error: { code: 'agent_error', message: e.message } }, MAGUS_ROUTE) : err;
        }
        case 'done':
          state.done = true;
          break;
        case 'invalid':
          throw bad(`sent ${e.reason}`);
        case 'unknown':
          state.unknown++; // newer servers add events: skip them
          break;
        default:
          break; // thinking and tool events only inform
      }
    };
    try {
      outer: for await (const chunk of chunks) {
        for (const m of parser.push(chunk)) {
          handle(toMagusEvent(m));
          // The answer is whole at message.completed: a server that keeps the stream open after it is not waited for.
          if (state.done || state.completed) break outer;
        }
      }
      if (!state.done && !state.completed) for (const m of parser.end()) handle(toMagusEvent(m));
    } catch (err) {
      if (err instanceof SseParseError) throw bad(`could not be parsed (${err.message})`, err);
      if (isMagmaError(err, 'API_TIMEOUT')) throw new MagmaError('MAGUS_TIMEOUT', `the Magus stream did not finish in time.`, { cause: err, context: { route: MAGUS_ROUTE, status }, hint: 'Streams end after 5 minutes; the next narrative asks again.' });
      if (isMagmaError(err, 'NETWORK')) throw new MagmaError('MAGUS_UNAVAILABLE', `the Magus stream broke off.`, { cause: err, context: { route: MAGUS_ROUTE, status }, hint: 'The next narrative asks again.' });
      throw err;
    }
    if (!state.completed) throw bad('ended without message.completed');
    const promptTokens = state.usage?.promptTokens ?? estimateTokens(req.content);
    const completionTokens = state.usage?.completionTokens ?? estimateTokens(state.content);
    return {
      id: state.messageId, sessionId: state.sessionId ?? req.sessionId ?? null, conversationId: state.conversationId, content: state.content,
      citations: [], toolCalls: [], promptTokens, completionTokens, credits: promptTokens + completionTokens, createdAt: null,
    };
  }
}
