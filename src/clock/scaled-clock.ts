// Simulated time that runs `speed` times faster than the wall clock from a fixed start (derived from a seed, never
// from the wall clock). The simulator and an in-process daemon share one, so deadlines and polls agree.
import type { Clock } from '../ports/clock.js';
import { realSleep } from './real-sleep.js';

export class ScaledClock implements Clock {
  private readonly realStart: number;

  constructor(
    readonly startMs: number,
    readonly speed: number,
    private readonly realNow: () => number = () => performance.now(),
  ) {
    if (!(speed > 0)) throw new RangeError('clock speed must be positive');
    this.realStart = realNow();
  }

  now(): number {
    return Math.floor(this.startMs + (this.realNow() - this.realStart) * this.speed);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return realSleep(ms / this.speed, signal);
  }
}
