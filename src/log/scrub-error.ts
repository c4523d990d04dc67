// Removes secret values (API keys, bearer tokens) from an error before it leaves an adapter: its message, stack,
// context and the whole cause chain. Foreign causes (undici's errors can quote request headers) are replaced by
// plain copies that keep only name, code, message and stack, each redacted.
import { MagmaError } from '../core/errors.js';
import { Redactor } from './redactor.js';

const MAX_DEPTH = 8;

function plainCopy(e: Error, r: Redactor, depth: number): Error {
  const copy = new Error(r.redactString(String(e.message)));
  copy.name = e.name;
  const code = (e as { code?: unknown }).code;
  if (code !== undefined) Object.defineProperty(copy, 'code', { value: typeof code === 'string' ? r.redactString(code) : code, enumerable: true });
  copy.stack = e.stack ? r.redactString(e.stack) : `${copy.name}: ${copy.message}`;
  if (e.cause !== undefined) Object.defineProperty(copy, 'cause', { value: scrubValue(e.cause, r, depth + 1), enumerable: false, writable: true, configurable: true });
  return copy;
}

function scrubValue(v: unknown, r: Redactor, depth: number): unknown {
  if (depth > MAX_DEPTH) return '[cause chain too deep]';
  if (v instanceof MagmaError) return scrubInPlace(v, r, depth);
  if (v instanceof Error) return plainCopy(v, r, depth);
  return r.redact(v);
}

function scrubInPlace(e: MagmaError, r: Redactor, depth: number): MagmaError {
  e.message = r.redactString(e.message);
  if (e.stack) e.stack = r.redactString(e.stack);
  Object.defineProperty(e, 'context', { value: r.redact(e.context), enumerable: true, writable: false, configurable: true });
  if (e.hint) Object.defineProperty(e, 'hint', { value: r.redactString(e.hint), enumerable: true, writable: false, configurable: true });
  if (e.cause !== undefined) Object.defineProperty(e, 'cause', { value: scrubValue(e.cause, r, depth + 1), enumerable: false, writable: true, configurable: true });
  return e;
}

/** Returns the error with every given secret masked; a non-MagmaError is wrapped as a plain redacted copy. */
export function scrubError(err: unknown, secrets: ReadonlyArray<string | null | undefined>): unknown {
  const r = new Redactor();
  for (const s of secrets) r.add(s);
  return scrubValue(err, r, 0);
}
