// One error type for the whole agent: a stable code (never renamed or reused), a short message that says what
// happened and what to do, a context typed per code (as @solana/kit's errors carry), and the cause. The code decides
// what happens next (its consequence, in ERROR_CODES), and the consequence decides the exit code of a command that
// ends on it (EXIT_CODES): one table per code, so no second table can disagree with it.

export const ERROR_CODES = {
  // operator must fix something: stop (exit 78, which systemd does not restart: RestartPreventExitStatus=78)
  CONFIG_INVALID: 'stop',
  WALLET_MISSING: 'stop',
  WALLET_INSECURE: 'stop',
  WALLET_INVALID: 'stop',
  WALLET_EXISTS: 'stop',
  API_UNAUTHORIZED: 'stop',
  REGISTER_AMBIGUOUS: 'stop',
  REGISTER_REFUSED: 'stop',
  DATA_DIR_UNWRITABLE: 'stop',
  INSTANCE_RUNNING: 'stop',
  STORE_FAILED: 'stop',
  JOURNAL_CONFLICT: 'stop',
  STRATEGY_LOAD_FAILED: 'stop',
  WEBHOOK_BIND_FAILED: 'stop',
  METRICS_BIND_FAILED: 'stop',
  MAGUS_UNAUTHORIZED: 'stop',
  MAGUS_INACTIVE: 'stop',
  /** x402: a payment the configuration does not allow (caps at 0, over x402.maxPerCallUsd, asset/network/payee not listed). */
  X402_NOT_ALLOWED: 'stop',
  // the command line itself is wrong: exit 2
  USAGE: 'usage',
  // wait and try again later
  API_RATE_LIMITED: 'retry',
  API_UNAVAILABLE: 'retry',
  API_TIMEOUT: 'retry',
  NETWORK: 'retry',
  RPC_FAILED: 'retry',
  BACKING_PENDING: 'retry',
  MAGUS_USAGE_LIMIT: 'retry',
  MAGUS_CREDIT_CAP: 'retry',
  MAGUS_AGENT_ERROR: 'retry',
  MAGUS_TIMEOUT: 'retry',
  MAGUS_UNAVAILABLE: 'retry',
  /** x402: today's payments reached x402.maxPerDayUsd (the cap frees at 00:00 UTC). */
  X402_DAILY_CAP: 'retry',
  /** x402: a signed payment was refused or not settled by the server (nothing more is paid for this call). */
  X402_PAYMENT_FAILED: 'retry',
  // no writes until it clears; reads go on
  API_FORBIDDEN: 'no-writes',
  PROTOCOL_HALTED: 'no-writes',
  // skip this item and go on
  API_NOT_FOUND: 'skip',
  API_BAD_REQUEST: 'skip',
  API_MALFORMED: 'skip',
  MAGUS_BAD_REQUEST: 'skip',
  MAGUS_MALFORMED: 'skip',
  MAGUS_NOT_CONFIGURED: 'skip',
  BACKING_REFUSED: 'skip',
  /** x402: a dry run or backtest met a paid route: it never pays, so the read is skipped. */
  X402_NOT_PAID: 'skip',
  // a value an input brought could not be recorded (the database is fine): that tick fails, the next goes on
  STORE_VALUE_REFUSED: 'skip',
  // the caller asked us to stop
  ABORTED: 'abort',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export type Consequence = (typeof ERROR_CODES)[ErrorCode];

/**
 * The exit code of a command that ends on an error, by its consequence (INTERFACE.md: 1 runtime failure, 2 bad usage,
 * 78 bad configuration or anything else an operator must fix before a restart can help).
 */
export const EXIT_CODES: Readonly<Record<Consequence, number>> = {
  stop: 78,
  usage: 2,
  retry: 1,
  'no-writes': 1,
  skip: 1,
  abort: 1,
};

/** What a 403 from MAGMA is about, when the body says: each needs a different fix. */
export type ForbiddenReason = 'wallet_blocked' | 'terms_not_accepted' | 'tier_too_low' | 'unknown';

/** A call to an HTTP service: the route (never a full URL with a key) and the status it answered, if any. */
interface HttpContext {
  route?: string;
  status?: number | null;
}

interface MagusContext extends HttpContext {
  /** The error code Magus's body named, if any. */
  magusCode?: string | null;
  /** How long Magus is not asked again (set when the answer is cached). */
  retryAfterMs?: number;
  /** The error is the remembered answer of an earlier call, not a new one. */
  cached?: boolean;
}

type NoContext = Record<string, never>;

/** An x402 payment asked for and what the agent made of it (amounts in the asset's atomic units, as strings). */
interface X402Context extends HttpContext {
  network?: string;
  asset?: string;
  payTo?: string;
  amount?: string;
  usd?: number;
  /** Today's payments so far, in USD. */
  spentTodayUsd?: number;
}

/** The context each code carries: read `err.context.retryAfterMs` after `isMagmaError(err, 'API_RATE_LIMITED')`. */
export interface ErrorContext {
  CONFIG_INVALID: { problems?: string[] };
  WALLET_MISSING: NoContext;
  WALLET_INSECURE: NoContext;
  WALLET_INVALID: NoContext;
  WALLET_EXISTS: NoContext;
  API_UNAUTHORIZED: HttpContext;
  REGISTER_AMBIGUOUS: NoContext;
  REGISTER_REFUSED: NoContext;
  DATA_DIR_UNWRITABLE: NoContext;
  INSTANCE_RUNNING: NoContext;
  STORE_FAILED: { path?: string; kind?: 'permission' };
  STORE_VALUE_REFUSED: { path?: string };
  JOURNAL_CONFLICT: { id?: string; from?: string; to?: string };
  STRATEGY_LOAD_FAILED: NoContext;
  WEBHOOK_BIND_FAILED: NoContext;
  METRICS_BIND_FAILED: NoContext;
  MAGUS_UNAUTHORIZED: MagusContext;
  MAGUS_INACTIVE: MagusContext;
  X402_NOT_ALLOWED: X402Context;
  X402_DAILY_CAP: X402Context;
  X402_PAYMENT_FAILED: X402Context;
  X402_NOT_PAID: X402Context;
  USAGE: NoContext;
  /** retryAfterMs: how long to wait before the next call of this kind. */
  API_RATE_LIMITED: HttpContext & { retryAfterMs: number; family?: string; write?: boolean };
  API_UNAVAILABLE: HttpContext;
  /** code: the transport's own code (e.g. UND_ERR_HEADERS_TIMEOUT), to tell a request never sent from one lost. */
  API_TIMEOUT: { code: string };
  NETWORK: { code: string; retryable: boolean };
  RPC_FAILED: { method?: string; status?: number; rpcCode?: number; rpcMessage?: string };
  BACKING_PENDING: NoContext;
  MAGUS_USAGE_LIMIT: MagusContext;
  MAGUS_CREDIT_CAP: MagusContext & { cap: number; left?: number; need?: number };
  MAGUS_AGENT_ERROR: MagusContext;
  MAGUS_TIMEOUT: MagusContext;
  MAGUS_UNAVAILABLE: MagusContext;
  API_FORBIDDEN: HttpContext & { reason: ForbiddenReason };
  /** retryAfterMs: what the server asked for, or null when it did not say. */
  PROTOCOL_HALTED: HttpContext & { retryAfterMs: number | null };
  API_NOT_FOUND: HttpContext & { narrativeId?: string; asset?: string };
  API_BAD_REQUEST: HttpContext & { narrativeId?: string; confidence?: number };
  API_MALFORMED: HttpContext & { limitBytes?: number; asset?: string };
  MAGUS_BAD_REQUEST: MagusContext;
  MAGUS_MALFORMED: MagusContext & { narrativeId?: string };
  MAGUS_NOT_CONFIGURED: { narrativeId?: string };
  BACKING_REFUSED: NoContext;
  ABORTED: NoContext;
}

export interface MagmaErrorOptions<C extends ErrorCode = ErrorCode> {
  context?: ErrorContext[C];
  cause?: unknown;
  /** What the operator should do, in one sentence. */
  hint?: string;
}

/** The options argument: required, with its context, for a code whose context has required fields. */
type OptionsArg<C extends ErrorCode> = Record<string, never> extends ErrorContext[C]
  ? [options?: MagmaErrorOptions<C>]
  : [options: MagmaErrorOptions<C> & { context: ErrorContext[C] }];

export class MagmaError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly context: ErrorContext[C];
  readonly hint: string | undefined;

  constructor(code: C, message: string, ...[options]: OptionsArg<C>) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MagmaError';
    this.code = code;
    this.context = options?.context ?? ({} as ErrorContext[C]);
    this.hint = options?.hint;
  }

  get consequence(): (typeof ERROR_CODES)[C] {
    return ERROR_CODES[this.code];
  }

  /** The message a person reads: what happened, then what to do. */
  get humanMessage(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }
}

/** Whether `err` is our error, and (given a code) of that code, so that its context is typed. */
export function isMagmaError<C extends ErrorCode = ErrorCode>(err: unknown, code?: C): err is MagmaError<C> {
  return err instanceof MagmaError && (code === undefined || err.code === code);
}

export function errorMessage(err: unknown): string {
  if (err instanceof MagmaError) return err.humanMessage;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Exit code for an error that ends a command: its code's consequence in EXIT_CODES; 1 for anything else. */
export function exitCodeFor(err: unknown): number {
  return err instanceof MagmaError ? EXIT_CODES[ERROR_CODES[(err as MagmaError).code]] : 1;
}
