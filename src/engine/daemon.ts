// The daemon's loop: one tick at a time (a slow tick delays the next, never overlaps it), a jittered interval
// between ticks, a pause as long as a 429's retry-after, backoff while the API is down, and a clean stop on abort.
import { errorMessage, isMagmaError } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../ports/clock.js';
import type { Engine, TickSummary } from './engine.js';

export interface DaemonOptions {
  engine: Pick<Engine, 'tick'>;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  jitterMs: number;
  signal: AbortSignal;
  /** Stop after this many ticks (demo, tests); unbounded when absent. */
  maxTicks?: number;
  onTick?: (summary: TickSummary) => void;
  random?: () => number;
}

const MAX_BACKOFF_MS = 15 * 60_000;

/** Runs until the signal aborts or maxTicks is reached. Errors that need an operator are thrown. */
export async function runDaemon(o: DaemonOptions): Promise<{ ticks: number; failures: number }> {
  const random = o.random ?? Math.random;
  let ticks = 0;
  let failures = 0;
  let consecutive = 0;
  while (!o.signal.aborted) {
    let waitMs = o.intervalMs + random() * o.jitterMs;
    try {
      const summary = await o.engine.tick(o.signal);
      consecutive = 0;
      o.onTick?.(summary);
    } catch (err) {
      if (o.signal.aborted || isMagmaError(err, 'ABORTED')) break;
      failures++;
      consecutive++;
      if (isMagmaError(err) && err.consequence === 'stop') throw err;
      if (isMagmaError(err, 'API_RATE_LIMITED')) {
        waitMs = Math.max(waitMs, Number(err.details.retryAfterMs ?? 60_000));
      } else {
        waitMs = Math.min(MAX_BACKOFF_MS, Math.max(waitMs, o.intervalMs * 2 ** Math.min(consecutive - 1, 6)));
      }
      o.logger.warn('tick.failed', { code: isMagmaError(err) ? err.code : 'UNEXPECTED', msg: errorMessage(err), retry_in_s: Math.round(waitMs / 1000) });
    }
    ticks++;
    if (o.maxTicks !== undefined && ticks >= o.maxTicks) break;
    try {
      await o.clock.sleep(waitMs, o.signal);
    } catch {
      break; // aborted while waiting
    }
  }
  return { ticks, failures };
}
