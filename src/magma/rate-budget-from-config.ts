// Builds the client's rate budget from the configuration: the tier's documented limits, per-family overrides,
// and the safety margin.
import type { Config } from '../config/schema.js';
import type { Clock } from '../ports/clock.js';
import { documentedLimits, LIMIT_FAMILIES, RateBudget, type LimitFamily, type LimitRule } from './rate-budget.js';

export function rateBudgetFromConfig(api: Config['api'], clock: Clock): RateBudget {
  const overrides: Partial<Record<LimitFamily, LimitRule>> = {};
  for (const family of LIMIT_FAMILIES) {
    const o = api.rateLimits[family];
    if (o) overrides[family] = { limit: o.limit, windowMs: o.windowSeconds * 1000 };
  }
  return new RateBudget({ clock, limits: documentedLimits(api.tier, overrides), safetyMargin: api.safetyMargin });
}
