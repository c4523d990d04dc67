// A clock that moves only when told and fires timers as it moves (as nautilus_trader's TestClock does): `sleep`
// sets a timer, and `advance(ms)` runs every timer due by then in time order (ties in the order they were set), each
// at its own time, letting the code it wakes run before the next fires. So a test drives the daemon's schedule, a
// minimum gap or a retry-after to the millisecond without sleeping in real time. (ManualClock, for backtests, instead
// treats a sleep as time passed at once.)
import type { Clock } from '../ports/clock.js';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

/** Lets what a fired timer woke run (its promise continuations and one turn of I/O callbacks). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export class TestClock implements Clock {
  private timers: Timer[] = [];
  private seq = 0;

  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        cancel();
        reject(signal!.reason);
      };
      const cancel = this.setTimer(Number.isNaN(ms) ? 0 : ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Calls `fire` when the clock reaches now + delayMs; returns what cancels it. */
  setTimer(delayMs: number, fire: () => void): () => void {
    const timer: Timer = { at: this.current + Math.max(0, delayMs), seq: this.seq++, fire };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** How many timers are waiting. */
  get pending(): number {
    return this.timers.length;
  }

  /** When the earliest timer is due, or null when none waits. */
  nextTimerAt(): number | null {
    return this.timers.reduce<number | null>((min, t) => (min === null || t.at < min ? t.at : min), null);
  }

  /** Moves the clock `ms` forward, firing each timer due by then at its own time, in order. */
  advance(ms: number): Promise<void> {
    return this.advanceTo(this.current + Math.max(0, ms));
  }

  async advanceTo(target: number): Promise<void> {
    await settle();
    for (;;) {
      const next = this.earliest();
      if (!next || next.at > target) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = Math.max(this.current, next.at);
      next.fire();
      await settle();
    }
    this.current = Math.max(this.current, target);
  }

  /** Jumps to the earliest timer and fires it (with any others due at that same moment); false when none waits. */
  async fireNext(): Promise<boolean> {
    const at = this.nextTimerAt();
    if (at === null) return false;
    await this.advanceTo(at);
    return true;
  }

  /** Waits (in real time, without moving the clock) until `count` timers are set: the code under test is asleep. */
  async untilPending(count = 1, maxTurns = 10_000): Promise<void> {
    for (let i = 0; i < maxTurns && this.timers.length < count; i++) await settle();
    if (this.timers.length < count) throw new Error(`expected ${count} timer(s) to be set; ${this.timers.length} are`);
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }
}
