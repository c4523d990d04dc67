import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { MagmaError } from '../../../src/core/errors.js';
import { documentedLimits, RateBudget, resetInMs } from '../../../src/magma/rate-budget.js';

const T0 = Date.parse('2026-04-01T00:00:00Z');
const budget = (clock: ManualClock, tier: 'free' | 'pro' = 'free') => new RateBudget({ clock, limits: documentedLimits(tier), safetyMargin: 0.1 });

describe('RateBudget', () => {
  it('never lets more than 90% of the limit through in any one-minute window, however calls are timed', async () => {
    const clock = new ManualClock(T0);
    const b = budget(clock);
    const times: number[] = [];
    for (let i = 0; i < 400; i++) {
      await b.acquire('feed', { write: false });
      times.push(clock.now());
      clock.advance(i % 7 === 0 ? 3000 : 10); // bursts and pauses
    }
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + 60_000).length;
      expect(inWindow).toBeLessThanOrEqual(54);
    }
  });


  it('fails a write fast with API_RATE_LIMITED and a wait', async () => {
    const clock = new ManualClock(T0);
    const b = budget(clock);
    await b.acquire('backing', { write: true });
    const err = (await b.acquire('backing', { write: true }).catch((e: unknown) => e)) as MagmaError<'API_RATE_LIMITED'>;
    expect(err.code).toBe('API_RATE_LIMITED');
    expect(err.context.retryAfterMs).toBeGreaterThan(0);
    expect(clock.now()).toBe(T0); // did not wait
  });

  it('holds a family back until a 429 retry-after has passed', async () => {
    const clock = new ManualClock(T0);
    const b = budget(clock);
    b.pause('feed', 30_000);
    expect(b.remaining('feed')).toBe(0);
    await b.acquire('feed', { write: false });
    expect(clock.now()).toBeGreaterThanOrEqual(T0 + 30_000);
  });

  it('pauses until the reset when the server says the remaining calls are within the margin', async () => {
    const clock = new ManualClock(T0);
    const b = budget(clock);
    b.observe('feed', { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': String(T0 / 1000 + 20) });
    expect(b.pausedUntil('feed')).toBe(T0 + 20_000);
    await b.acquire('feed', { write: false });
    expect(clock.now()).toBeGreaterThanOrEqual(T0 + 20_000);
  });

  it('shrinks to a lower limit the server reports', () => {
    const clock = new ManualClock(T0);
    const b = budget(clock, 'pro');
    b.observe('feed', { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '59', 'x-ratelimit-reset': '60' });
    expect(b.remaining('feed')).toBeLessThanOrEqual(6);
  });

  it('gives up a read that would wait too long, and stops waiting when aborted', async () => {
    const clock = new ManualClock(T0);
    const b = budget(clock);
    b.pause('feed', 3_600_000);
    await expect(b.acquire('feed', { write: false })).rejects.toMatchObject({ code: 'API_RATE_LIMITED' });
    b.pause('public', 1000);
    await expect(b.acquire('public', { write: false, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('reads x-ratelimit-reset as seconds or as a Unix time', () => {
    expect(resetInMs('30', T0)).toBe(30_000);
    expect(resetInMs(String(T0 / 1000 + 45), T0)).toBe(45_000);
    expect(resetInMs(String(T0 + 5000), T0)).toBe(5000);
    expect(resetInMs('soon', T0)).toBeNull();
    expect(resetInMs(undefined, T0)).toBeNull();
  });
});
