// Client-side rate budgets (PROTOCOL.md section 2): one token bucket per limit family, sized below the documented
// limit for the tier, corrected from the x-ratelimit-* headers the server sends, and paused by a 429 until its
// retry-after. A read that meets an empty or paused bucket waits (on the injected clock, abortably); a write fails
// fast with API_RATE_LIMITED, because a write is never queued or retried blindly.
import { MagmaError } from '../core/errors.js';
import type { Clock } from '../ports/clock.js';

export type LimitFamily = 'feed' | 'public' | 'backing' | 'register' | 'agent';
export const LIMIT_FAMILIES: readonly LimitFamily[] = ['feed', 'public', 'backing', 'register', 'agent'];
export type Tier = 'free' | 'pro' | 'enterprise';

export interface LimitRule {
  limit: number;
  windowMs: number;
}

/** Requests per minute by tier (developers.magmaprotocol.xyz/api/tiers). */
export const TIER_PER_MINUTE: Record<Tier, number> = { free: 60, pro: 300, enterprise: 1000 };

/** The documented limits: feed and agent routes per key follow the tier; the rest are fixed. */
export function documentedLimits(tier: Tier, overrides: Partial<Record<LimitFamily, LimitRule>> = {}): Record<LimitFamily, LimitRule> {
  return {
    feed: { limit: TIER_PER_MINUTE[tier], windowMs: 60_000 },
    agent: { limit: TIER_PER_MINUTE[tier], windowMs: 60_000 },
    public: { limit: 60, windowMs: 60_000 },
    backing: { limit: 10, windowMs: 60_000 },
    register: { limit: 5, windowMs: 3_600_000 },
    ...overrides,
  };
}

/**
 * x-ratelimit-reset as milliseconds from now: seconds until the reset, or a Unix time when above 10^9
 * (seconds; milliseconds when above 10^12). Null when absent or unreadable.
 */
export function resetInMs(value: string | undefined, nowMs: number): number | null {
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) return null;
  if (n > 1e12) return Math.max(0, n - nowMs);
  if (n > 1e9) return Math.max(0, n * 1000 - nowMs);
  return n * 1000;
}

interface Bucket {
  rule: LimitRule;
  /** Usable per window after the safety margin. */
  effective: number;
  capacity: number;
  ratePerMs: number;
  tokens: number;
  updatedAt: number;
  pausedUntil: number;
}

export interface RateBudgetOptions {
  clock: Clock;
  limits: Record<LimitFamily, LimitRule>;
  /** Fraction of each limit left unused (0.1 = budget 90%). */
  safetyMargin: number;
  /** A read waits at most this long for its budget; beyond it the call fails with API_RATE_LIMITED. */
  maxReadWaitMs?: number;
}

export interface AcquireOptions {
  write: boolean;
  signal?: AbortSignal | undefined;
}

const MAX_PAUSE_MS = 24 * 3_600_000;

export class RateBudget {
  private readonly buckets = new Map<LimitFamily, Bucket>();

  constructor(private readonly options: RateBudgetOptions) {
    const now = options.clock.now();
    for (const family of LIMIT_FAMILIES) this.buckets.set(family, this.size(options.limits[family], now));
  }

  /**
   * Sized so that no window of the server's length, however aligned, sees more than `effective` calls:
   * burst (capacity) + refill over one window = effective.
   */
  private size(rule: LimitRule, now: number, previous?: Bucket): Bucket {
    const effective = Math.max(1, Math.floor(rule.limit * (1 - this.options.safetyMargin)));
    const capacity = Math.max(1, Math.ceil(effective / 10));
    const ratePerMs = Math.max(1, effective - capacity) / rule.windowMs;
    return {
      rule, effective, capacity, ratePerMs,
      tokens: Math.min(capacity, previous?.tokens ?? capacity),
      updatedAt: now,
      pausedUntil: previous?.pausedUntil ?? 0,
    };
  }

  private bucket(family: string): Bucket | null {
    return this.buckets.get(family as LimitFamily) ?? null;
  }

  private refill(b: Bucket, now: number): void {
    if (now > b.updatedAt) b.tokens = Math.min(b.capacity, b.tokens + (now - b.updatedAt) * b.ratePerMs);
    b.updatedAt = Math.max(b.updatedAt, now);
  }

  /** Whole calls left right now (0 while paused); null for a family without a budget. */
  remaining(family: string): number | null {
    const b = this.bucket(family);
    if (!b) return null;
    const now = this.options.clock.now();
    this.refill(b, now);
    return now < b.pausedUntil ? 0 : Math.floor(b.tokens);
  }

  /** When the family may be called again (ms, clock time); 0 when it is not paused. */
  pausedUntil(family: string): number {
    return this.bucket(family)?.pausedUntil ?? 0;
  }

  /** Takes one call from the family's budget, waiting for reads; returns the calls left after it. */
  async acquire(family: string, o: AcquireOptions): Promise<number | null> {
    const b = this.bucket(family);
    if (!b) return null;
    const maxWait = this.options.maxReadWaitMs ?? 5 * 60_000;
    let waited = 0;
    for (let i = 0; i < 10_000; i++) {
      const now = this.options.clock.now();
      this.refill(b, now);
      if (now >= b.pausedUntil && b.tokens >= 1) {
        b.tokens -= 1;
        return Math.floor(b.tokens);
      }
      const waitMs = Math.max(1, Math.ceil(Math.max(b.pausedUntil - now, (1 - b.tokens) / b.ratePerMs)));
      if (o.write || waited + waitMs > maxWait) {
        throw new MagmaError('API_RATE_LIMITED', `the ${family} budget is ${now < b.pausedUntil ? 'paused after a 429' : 'spent'}: next call in ${Math.ceil(waitMs / 1000)} s.`, {
          context: { family, retryAfterMs: waitMs, write: o.write },
          hint: o.write
            ? 'Writes are never queued: the agent tries again on a later tick.'
            : 'The agent keeps below the server limits; if this happens often, raise poll.intervalSeconds or the api.tier.',
        });
      }
      try {
        await this.options.clock.sleep(waitMs, o.signal);
      } catch (cause) {
        throw new MagmaError('ABORTED', `cancelled while waiting for the ${family} rate budget.`, { cause });
      }
      waited += waitMs;
    }
    throw new MagmaError('API_RATE_LIMITED', `the ${family} budget did not free up.`, { context: { family, retryAfterMs: 60_000 } });
  }

  /** Corrects the family's budget from the headers the server sent with any answer. */
  observe(family: string, headers: Record<string, string>): void {
    const b = this.bucket(family);
    if (!b) return;
    const now = this.options.clock.now();
    this.refill(b, now);
    const limit = Number(headers['x-ratelimit-limit']);
    let current = b;
    if (Number.isInteger(limit) && limit > 0 && limit < b.rule.limit) {
      // The server grants less than we assumed (a lower tier, a changed limit): shrink to its number.
      current = this.size({ limit, windowMs: b.rule.windowMs }, now, b);
      this.buckets.set(family as LimitFamily, current);
    }
    const remaining = Number(headers['x-ratelimit-remaining']);
    if (headers['x-ratelimit-remaining'] === undefined || !Number.isFinite(remaining)) return;
    const serverLimit = Number.isInteger(limit) && limit > 0 ? limit : current.rule.limit;
    const reserve = Math.max(0, serverLimit - Math.max(1, Math.floor(serverLimit * (1 - this.options.safetyMargin))));
    const usable = Math.max(0, Math.floor(remaining) - reserve);
    current.tokens = Math.min(current.tokens, usable);
    if (usable === 0) {
      const reset = resetInMs(headers['x-ratelimit-reset'], now);
      if (reset !== null) current.pausedUntil = Math.max(current.pausedUntil, now + Math.min(reset, MAX_PAUSE_MS));
    }
  }

  /** A 429: nothing of this family goes out before `retryAfterMs` has passed. */
  pause(family: string, retryAfterMs: number): void {
    const b = this.bucket(family);
    if (!b) return;
    const now = this.options.clock.now();
    this.refill(b, now);
    b.tokens = 0;
    b.pausedUntil = Math.max(b.pausedUntil, now + Math.min(Math.max(0, retryAfterMs), MAX_PAUSE_MS));
  }
}
