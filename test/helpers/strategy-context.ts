// The context a strategy is evaluated with, for tests that call a strategy directly (the host builds it otherwise).
import type { NarrativeSnapshot, StrategyContext, StrategySources } from 'magma-agent/strategy';

export function strategyContext(o: { now: number | (() => number); history?: readonly NarrativeSnapshot[]; options?: Record<string, unknown>; sources?: StrategySources; signal?: AbortSignal }): StrategyContext {
  const now = o.now;
  return {
    history: o.history ?? [],
    clock: { now: typeof now === 'function' ? now : () => now },
    options: o.options ?? {},
    sources: o.sources ?? {},
    signal: o.signal ?? new AbortController().signal,
  };
}
