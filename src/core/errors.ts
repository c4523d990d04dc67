// One error type for the whole agent: a stable code (never renamed or reused), a short message that says what
// happened and what to do, structured details, and the cause. The code decides what happens next (see CONSEQUENCE).

export const ERROR_CODES = {
  // operator must fix something: stop (exit 78 for configuration, 1 otherwise)
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
  USAGE: 'stop',
  STORE_FAILED: 'stop',
  JOURNAL_CONFLICT: 'stop',
  STRATEGY_LOAD_FAILED: 'stop',
  WEBHOOK_BIND_FAILED: 'stop',
  METRICS_BIND_FAILED: 'stop',
  MAGUS_UNAUTHORIZED: 'stop',
  MAGUS_INACTIVE: 'stop',
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
  // the caller asked us to stop
  ABORTED: 'abort',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export type Consequence = (typeof ERROR_CODES)[ErrorCode];

export interface MagmaErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
  /** What the operator should do, in one sentence. */
  hint?: string;
}

export class MagmaError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: MagmaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MagmaError';
    this.code = code;
    this.details = options.details ?? {};
    this.hint = options.hint;
  }

  get consequence(): Consequence {
    return ERROR_CODES[this.code];
  }

  /** The message a person reads: what happened, then what to do. */
  get humanMessage(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }
}

export function isMagmaError(err: unknown, code?: ErrorCode): err is MagmaError {
  return err instanceof MagmaError && (code === undefined || err.code === code);
}

export function errorMessage(err: unknown): string {
  if (err instanceof MagmaError) return err.humanMessage;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Exit code for an error that ends a command (INTERFACE.md: 78 bad configuration, 1 runtime failure). */
export function exitCodeFor(err: unknown): number {
  if (err instanceof MagmaError) {
    if (err.code === 'USAGE') return 2;
    if (err.code === 'CONFIG_INVALID' || err.code === 'DATA_DIR_UNWRITABLE' || err.code === 'WALLET_MISSING' || err.code === 'WALLET_INSECURE'
      || err.code === 'WALLET_INVALID' || err.code === 'STRATEGY_LOAD_FAILED' || err.code === 'API_UNAUTHORIZED'
      // a port in use is fixed in the config; restarting cannot free it
      || err.code === 'METRICS_BIND_FAILED' || err.code === 'WEBHOOK_BIND_FAILED') {
      return 78;
    }
  }
  return 1;
}
