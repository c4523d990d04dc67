// Replaces every known secret value wherever it appears: in strings, nested fields, error messages and stacks.
// Secrets are added as they become known (the API key after registration, the keypair when loaded).

const MASK = '[REDACTED]';
const MIN_SECRET_LENGTH = 6; // shorter values would mask ordinary words

export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | null | undefined): void {
    if (secret && secret.length >= MIN_SECRET_LENGTH) this.secrets.add(secret);
  }

  redactString(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
    return out;
  }

  /** A redacted, JSON-safe copy (bigint → string, Error → {name, message, code, stack}). */
  redact(value: unknown, depth = 0): unknown {
    if (depth > 8) return '[too deep]';
    if (typeof value === 'string') return this.redactString(value);
    if (typeof value === 'bigint') return value.toString();
    if (value === null || typeof value !== 'object') return value;
    if (value instanceof Error) {
      const e = value as Error & { code?: unknown; context?: unknown; cause?: unknown };
      const out: Record<string, unknown> = { name: e.name, message: this.redactString(e.message) };
      if (e.code !== undefined) out.code = e.code;
      if (e.context !== undefined) out.context = this.redact(e.context, depth + 1);
      if (e.stack) out.stack = this.redactString(e.stack);
      if (e.cause !== undefined) out.cause = this.redact(e.cause, depth + 1);
      return out;
    }
    if (Array.isArray(value)) return value.map((v) => this.redact(v, depth + 1));
    if (value instanceof Uint8Array) return `[${value.length} bytes]`;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = this.redact(v, depth + 1);
    return out;
  }
}

/** The process's redactor: every logger and the CLI's error output share it, so a secret added once is masked everywhere. */
export const processRedactor = new Redactor();
