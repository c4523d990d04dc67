// The daemon's loop: one tick at a time (a slow tick delays the next, never overlaps it), the next one when the
// schedule says (interval with jitter, or cron), early on a webhook hint but never sooner than poll.minGapSeconds
// after the last, a pause as long as a 429's retry-after, backoff while the API is down, a daily summary when the UTC
// day turns, and a clean stop on abort.
import { errorMessage, isMagmaError } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { startOfUtcDay, type Clock } from '../ports/clock.js';
import type { Engine, TickSummary } from './engine.js';
import { IntervalSchedule, type Schedule } from './schedule.js';
import type { Wakeup } from './wakeup.js';

export interface DaemonOptions {
  engine: Pick<Engine, 'tick'>;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  /** When ticks are due; or give intervalMs/jitterMs for a plain interval. */
  schedule?: Schedule;
  intervalMs?: number;
  jitterMs?: number;
  /** Early ticks on hints (webhook deliveries). */
  wake?: Wakeup;
  /** The least time between the end of one tick and the start of the next, for early ticks. */
  minGapMs?: number;
  /** Stop after this many ticks (demo, tests); unbounded when absent. */
  maxTicks?: number;
  onTick?: (summary: TickSummary) => void;
  /** Called after a tick failed and the loop goes on (not for a shutdown, nor for an error that stops the daemon). */
  onTickFailed?: (err: unknown) => void;
  /** Called before each wait with the clock milliseconds until the next tick is due (health, watchdog). */
  onIdle?: (waitMs: number) => void;
  /** Called once when the UTC day changes between ticks, with the day that ended (daily jobs). */
  onDayEnd?: (dayStartIso: string) => void;
  random?: () => number;
}

const MAX_BACKOFF_MS = 15 * 60_000;
/** Consecutive ticks refused with 401 before the daemon stops for the operator. */
const UNAUTHORIZED_TOLERANCE = 3;

async function sleepUntil(o: DaemonOptions, dueMs: number, wakeable: boolean): Promise<string | null> {
  const waitMs = Math.max(0, dueMs - o.clock.now());
  if (!wakeable || !o.wake) {
    await o.clock.sleep(waitMs, o.signal);
    return null;
  }
  const stop = new AbortController();
  const either = AbortSignal.any([o.signal, stop.signal]);
  try {
    return await Promise.race([o.clock.sleep(waitMs, either).then(() => null), o.wake.wait(either)]);
  } finally {
    stop.abort();
  }
}

/** Runs until the signal aborts or maxTicks is reached. Errors that need an operator are thrown. */
export async function runDaemon(o: DaemonOptions): Promise<{ ticks: number; failures: number }> {
  const random = o.random ?? Math.random;
  const schedule = o.schedule ?? new IntervalSchedule(o.intervalMs ?? 60_000, o.jitterMs ?? 0);
  const minGapMs = o.minGapMs ?? 0;
  let ticks = 0;
  let failures = 0;
  let consecutive = 0;
  let day = startOfUtcDay(o.clock.now());
  while (!o.signal.aborted) {
    let retryNotBefore = 0;
    try {
      const summary = await o.engine.tick(o.signal);
      consecutive = 0;
      o.onTick?.(summary);
    } catch (err) {
      if (o.signal.aborted || isMagmaError(err, 'ABORTED')) break;
      failures++;
      consecutive++;
      // Stop for an operator, but a rejected key only when it stays rejected: one 401 can be the server's glitch.
      if (isMagmaError(err) && err.consequence === 'stop' && !(err.code === 'API_UNAUTHORIZED' && consecutive < UNAUTHORIZED_TOLERANCE)) throw err;
      const now = o.clock.now();
      retryNotBefore = isMagmaError(err, 'API_RATE_LIMITED')
        ? now + err.context.retryAfterMs
        : now + Math.min(MAX_BACKOFF_MS, (o.intervalMs ?? 60_000) * 2 ** Math.min(consecutive - 1, 6));
      o.onTickFailed?.(err);
      o.logger.warn('tick.failed', {
        code: isMagmaError(err) ? err.code : 'UNEXPECTED', msg: errorMessage(err),
        retry_in_s: Math.round((Math.max(retryNotBefore, schedule.nextAfter(now, () => 0)) - now) / 1000),
      });
    }
    ticks++;
    if (o.maxTicks !== undefined && ticks >= o.maxTicks) break;

    const endedAt = o.clock.now();
    const today = startOfUtcDay(endedAt);
    if (today !== day) {
      o.onDayEnd?.(day);
      day = today;
    }
    const due = Math.max(schedule.nextAfter(endedAt, random), retryNotBefore);
    o.onIdle?.(due - endedAt);
    try {
      // A hint may cut the wait short, but not a 429's pause or a failure's backoff.
      const hint = await sleepUntil(o, due, retryNotBefore === 0);
      if (hint !== null) {
        await sleepUntil(o, endedAt + minGapMs, false);
        o.logger.info('tick.early', { reason: hint });
      }
    } catch {
      break; // aborted while waiting
    }
  }
  return { ticks, failures };
}
