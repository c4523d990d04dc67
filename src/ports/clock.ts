// The clock port. Live runs use the system clock; the simulator and demo a scaled clock; backtests a manual one.

export interface Clock {
  /** Milliseconds since the epoch, in this clock's time. */
  now(): number;
  /** Waits `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}

export function startOfUtcDay(ms: number): string {
  const d = new Date(ms);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString();
}
