// A clock for tests with several loops running at once (the daemon's tick loop, the backing driver): time stands
// still while any of them works (waits on I/O, computes) and jumps to the earliest timer once every one of them is
// asleep. So intervals between ticks are exactly what the code asked for, however slow the machine is, and nothing
// sleeps in real time. `actors()` says how many loops are alive right now. The timers are TestClock's.
import { TestClock } from '../../src/clock/test-clock.js';

export class VirtualClock extends TestClock {
  private readonly pump: NodeJS.Timeout;
  private firing = false;

  constructor(start: number, private readonly actors: () => number) {
    super(start);
    // Checked on a real interval: a loop can stop (and so stop counting) without calling sleep.
    this.pump = setInterval(() => void this.step(), 1);
  }

  /** Fires the earliest timer when every live loop is asleep. */
  private async step(): Promise<void> {
    if (this.firing || this.pending === 0 || this.pending < this.actors()) return;
    this.firing = true;
    try {
      await this.fireNext();
    } finally {
      this.firing = false;
    }
  }

  dispose(): void {
    clearInterval(this.pump);
  }
}
