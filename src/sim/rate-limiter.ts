// Fixed-window rate limits in simulated time (PROTOCOL.md section 2), per family and key (API key, IP or wallet).

export interface LimitRule {
  limit: number;
  windowMs: number;
}

export interface LimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds (simulated) until the window resets. */
  resetSeconds: number;
}

export const TIER_LIMITS = { free: 60, pro: 300, enterprise: 1000 } as const;
export type Tier = keyof typeof TIER_LIMITS;

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly rules: Record<string, LimitRule>, private readonly now: () => number) {}

  take(family: string, key: string): LimitResult | null {
    const rule = this.rules[family];
    if (!rule) return null;
    const now = this.now();
    const id = `${family}\u0000${key}`;
    let w = this.windows.get(id);
    if (!w || now - w.start >= rule.windowMs) {
      w = { start: now - (now % rule.windowMs), count: 0 };
      this.windows.set(id, w);
    }
    const resetSeconds = Math.max(1, Math.ceil((w.start + rule.windowMs - now) / 1000));
    if (w.count >= rule.limit) return { allowed: false, limit: rule.limit, remaining: 0, resetSeconds };
    w.count++;
    return { allowed: true, limit: rule.limit, remaining: rule.limit - w.count, resetSeconds };
  }

  headers(r: LimitResult): Record<string, string> {
    const h: Record<string, string> = {
      'x-ratelimit-limit': String(r.limit),
      'x-ratelimit-remaining': String(r.remaining),
      'x-ratelimit-reset': String(r.resetSeconds),
    };
    if (!r.allowed) h['retry-after'] = String(r.resetSeconds);
    return h;
  }
}
