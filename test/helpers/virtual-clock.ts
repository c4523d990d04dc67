// A clock for tests with several loops running at once (the daemon's tick loop, the backing driver): time stands
// still while any of them works (waits on I/O, computes) and jumps to the earliest timer once every one of them is
// asleep. So intervals between ticks are exactly what the code asked for, however slow the machine is, and nothing
// sleeps in real time. `actors()` says how many loops are alive right now.
import type { Clock } from '../../src/ports/clock.js';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

export class VirtualClock implements Clock {
  private timers: Timer[] = [];
  private seq = 0;
  private readonly pump: NodeJS.Timeout;

  constructor(private current: number, private readonly actors: () => number) {
    // Checked on a real interval: a loop can stop (and so stop counting) without calling sleep.
    this.pump = setInterval(() => this.advance(), 1);
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.seq++, resolve: () => { signal?.removeEventListener('abort', onAbort); resolve(); } };
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Fires the earliest timer when every live loop is asleep. */
  private advance(): void {
    if (this.timers.length === 0 || this.timers.length < this.actors()) return;
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = this.timers.shift()!;
    this.current = Math.max(this.current, next.at);
    next.resolve();
  }

  dispose(): void {
    clearInterval(this.pump);
  }
}
