// What the daemon tells systemd, and when: READY=1 after the first healthy tick, WATCHDOG=1 after each healthy tick
// and from a timer at half of WATCHDOG_USEC while the loop is live (a hung loop stops the pings, so systemd
// restarts it), STATUS= with one line of state after every tick, STOPPING=1 on shutdown.
import type { Health } from '../ops/health.js';
import { statusLine, type Notifier } from './sd-notify.js';

export class ServiceNotifier {
  private ready = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly notifier: Notifier, private readonly health: Health) {
    if (notifier.enabled && notifier.watchdogIntervalMs !== null) {
      this.timer = setInterval(() => {
        if (this.ready && this.health.snapshot().live) this.send({ WATCHDOG: '1' });
      }, notifier.watchdogIntervalMs);
      this.timer.unref();
    }
  }

  /** After a tick that completed: READY the first time, a watchdog ping, and the state line. */
  tickOk(status: string): void {
    const fields: Record<string, string> = {};
    if (!this.ready) {
      this.ready = true;
      fields.READY = '1';
    }
    fields.WATCHDOG = '1';
    fields.STATUS = statusLine(status);
    this.send(fields);
  }

  /** After a failed tick: the state line only (the timer keeps pinging while the loop turns on schedule). */
  tickFailed(status: string): void {
    this.send({ STATUS: statusLine(status) });
  }

  status(text: string): void {
    this.send({ STATUS: statusLine(text) });
  }

  /** STOPPING=1; resolves once everything queued has been handed over. */
  async stopping(why: string): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.stopped) return this.pending;
    this.stopped = true;
    this.send({ STOPPING: '1', STATUS: statusLine(`stopping: ${why}`) });
    await this.pending;
  }

  /** Datagrams go out in order, one at a time. */
  private send(fields: Record<string, string>): void {
    if (!this.notifier.enabled || (this.stopped && !fields.STOPPING)) return;
    this.pending = this.pending.then(() => this.notifier.notify(fields));
  }

  flush(): Promise<void> {
    return this.pending;
  }
}
