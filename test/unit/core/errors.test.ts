// The error registry: each code's consequence decides its exit code (one table), and each code's context is typed.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, EXIT_CODES, exitCodeFor, isMagmaError, MagmaError, type ErrorCode } from '../../../src/core/errors.js';

const codes = Object.keys(ERROR_CODES) as ErrorCode[];

describe('exit codes follow the consequence of the code', () => {
  it.each(codes.filter((c) => ERROR_CODES[c] === 'stop'))('%s (an operator must fix it) exits 78, never 1', (code) => {
    expect(exitCodeFor(new MagmaError(code as 'CONFIG_INVALID', 'x'))).toBe(78);
  });

  it('bad usage exits 2; retry, skip, no-writes and abort exit 1, as does a foreign error', () => {
    expect(exitCodeFor(new MagmaError('USAGE', 'x'))).toBe(2);
    for (const code of codes.filter((c) => ERROR_CODES[c] !== 'stop' && ERROR_CODES[c] !== 'usage')) {
      expect(exitCodeFor(new MagmaError(code as 'ABORTED', 'x')), code).toBe(1);
    }
    expect(exitCodeFor(new Error('x'))).toBe(1);
    expect(exitCodeFor('x')).toBe(1);
  });

  it('every consequence has an exit code, and only INTERFACE.md\'s codes are used', () => {
    for (const c of new Set(Object.values(ERROR_CODES))) expect([1, 2, 78]).toContain(EXIT_CODES[c]);
  });
});

describe('typed context', () => {
  it('narrows by code, so retryAfterMs is read without a cast', () => {
    const err: unknown = new MagmaError('API_RATE_LIMITED', 'slow down', { context: { route: '/v1/agent/feed', retryAfterMs: 1_500 } });
    expect(isMagmaError(err, 'API_RATE_LIMITED') && err.context.retryAfterMs).toBe(1_500);
    expect(isMagmaError(err, 'API_TIMEOUT')).toBe(false);
  });

  it('defaults to an empty context and keeps cause and hint', () => {
    const cause = new Error('disk');
    const err = new MagmaError('STORE_FAILED', 'no', { cause, hint: 'free some space' });
    expect(err.context).toEqual({});
    expect(err.cause).toBe(cause);
    expect(err.humanMessage).toBe('no free some space');
    expect(err.consequence).toBe('stop');
  });

  it('refuses, at compile time, a code whose context has required fields without it', () => {
    // @ts-expect-error API_RATE_LIMITED must say how long to wait
    const bare = new MagmaError('API_RATE_LIMITED', 'x');
    // @ts-expect-error a context field another code carries is not this code's
    const wrong = new MagmaError('WALLET_MISSING', 'x', { context: { retryAfterMs: 1 } });
    expect([bare.code, wrong.code]).toEqual(['API_RATE_LIMITED', 'WALLET_MISSING']);
  });
});
