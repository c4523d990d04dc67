import type { Clock } from '../ports/clock.js';
import { realSleep } from './real-sleep.js';

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return realSleep(ms, signal);
  }
}
