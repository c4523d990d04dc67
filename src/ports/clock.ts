// The clock port. Live runs use the system clock; the simulator and demo a scaled clock; backtests a manual one.

export interface Clock {
  /** Milliseconds since the epoch, in this clock's time. */
  now(): number;
  /** Waits `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

let lastIso = { ms: NaN, iso: '' };

/** The clock's now as ISO text (a tick asks several times at one time in a backtest: the last text is kept). */
export function isoNow(clock: Clock): string {
  const ms = clock.now();
  if (ms !== lastIso.ms) lastIso = { ms, iso: new Date(ms).toISOString() };
  return lastIso.iso;
}

const DAY_MS = 86_400_000;
let lastDay = { index: NaN, iso: '' };

/** The start of `ms`'s UTC day as ISO text (asked every tick: the last day's text is kept). */
export function startOfUtcDay(ms: number): string {
  const index = Math.floor(ms / DAY_MS);
  if (index !== lastDay.index) lastDay = { index, iso: new Date(index * DAY_MS).toISOString() };
  return lastDay.iso;
}
