// A clock that moves only when told: for tests and backtests. Sleeping advances it at once (time is simulated).
import type { Clock } from '../ports/clock.js';

export class ManualClock implements Clock {
  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  set(ms: number): void {
    this.current = ms;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.current += ms;
  }
}
