// Hostile answers to the error sorter: any status, headers and body give a MagmaError with a stable code and a
// bounded wait, never an exception, and a retry-after is never negative, infinite or absurdly long.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../src/core/errors.js';
import { resetInMs } from '../../../src/magma/rate-budget.js';
import { responseError, retryAfterMs } from '../../../src/magma/response-error.js';

const headerValue = fc.oneof(fc.string({ maxLength: 40 }), fc.integer().map(String), fc.double().map(String), fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()));

describe('response errors under hostile answers', () => {
  it('always sorts, never throws, and bounds the wait', () => {
    fc.assert(fc.property(
      fc.integer({ min: 100, max: 599 }),
      fc.record({ 'retry-after': headerValue, 'x-ratelimit-reset': headerValue }, { requiredKeys: [] }),
      fc.oneof(fc.anything(), fc.string({ unit: "binary", maxLength: 300 }), fc.record({ retryAfter: fc.anything(), retry_after: fc.anything(), error: fc.anything(), message: fc.anything() }, { requiredKeys: [] })),
      (status, headers, body) => {
        const res = { status, headers: headers as Record<string, string>, body, isJson: typeof body === 'object' };
        const wait = retryAfterMs(res, Date.parse('2026-04-01T00:00:00Z'));
        if (wait !== null) {
          expect(Number.isFinite(wait)).toBe(true);
          expect(wait).toBeGreaterThanOrEqual(0);
          expect(wait).toBeLessThanOrEqual(24 * 3_600_000);
        }
        const err = responseError(res, '/v1/agent/feed');
        expect(Object.keys(ERROR_CODES)).toContain(err.code);
        expect(err.message.length).toBeLessThan(1000);
        expect(err.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
      },
    ), { numRuns: 500 });
  });

  it('reads any x-ratelimit-reset as null or a finite, non-negative wait', () => {
    fc.assert(fc.property(headerValue, (v) => {
      const ms = resetInMs(v, Date.parse('2026-04-01T00:00:00Z'));
      if (ms !== null) expect(Number.isFinite(ms) && ms >= 0).toBe(true);
    }), { numRuns: 500 });
  });
});
