// Whether the daemon's loop is turning, in wall time, for /healthz and systemd's watchdog. The loop says when each
// tick ended and when the next one is due; it is "live" while the next tick's end is not overdue (due + grace, the
// grace covering a slow tick), and "healthy" while live and not failing tick after tick. Simulated time never
// enters here: the daemon converts its waits to wall milliseconds first.

export interface HealthSnapshot {
  ok: boolean;
  /** Live: the loop is turning on schedule (what the watchdog pings for), even while ticks fail. */
  live: boolean;
  reason: string;
  started_at: string;
  last_tick_at: string | null;
  last_ok_tick_at: string | null;
  consecutive_failures: number;
  last_error: string | null;
  /** Wall time by which the next tick should have ended. */
  overdue_after: string | null;
}

export interface HealthOptions {
  /** How late the next tick may end beyond its due time (covers a tick's own duration). */
  graceMs: number;
  /** Ticks failed in a row that make /healthz say unhealthy (the loop still counts as live). */
  maxConsecutiveFailures?: number;
  now?: () => number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class Health {
  private readonly now: () => number;
  private readonly startedAt: number;
  private lastTickAt: number | null = null;
  private lastOkAt: number | null = null;
  private failures = 0;
  private lastError: string | null = null;
  private overdueAfter: number;

  constructor(private readonly o: HealthOptions) {
    this.now = o.now ?? Date.now;
    this.startedAt = this.now();
    this.overdueAfter = this.startedAt + o.graceMs; // the first tick starts at once
  }

  tickOk(): void {
    this.lastTickAt = this.lastOkAt = this.now();
    this.failures = 0;
    this.lastError = null;
  }

  tickFailed(code: string): void {
    this.lastTickAt = this.now();
    this.failures++;
    this.lastError = code;
  }

  /** The next tick is due in `wallMs` (after a tick ended, before the loop sleeps). */
  nextDueIn(wallMs: number): void {
    this.overdueAfter = this.now() + Math.max(0, wallMs) + this.o.graceMs;
  }

  get hadOkTick(): boolean {
    return this.lastOkAt !== null;
  }

  snapshot(): HealthSnapshot {
    const now = this.now();
    const live = now <= this.overdueAfter;
    const max = this.o.maxConsecutiveFailures ?? 3;
    let reason = 'ticking on schedule';
    if (!live) {
      reason = this.lastTickAt === null
        ? `no tick has finished in the ${Math.round((now - this.startedAt) / 1000)} s since start-up`
        : `ticks stopped: the last one ended ${Math.round((now - this.lastTickAt) / 1000)} s ago and the next is overdue`;
    } else if (this.failures >= max) {
      reason = `the last ${this.failures} ticks failed (${this.lastError ?? 'unknown'})`;
    } else if (this.lastTickAt === null) {
      reason = 'starting: no tick has finished yet';
    }
    return {
      ok: live && this.lastTickAt !== null && this.failures < max,
      live,
      reason,
      started_at: iso(this.startedAt)!,
      last_tick_at: iso(this.lastTickAt),
      last_ok_tick_at: iso(this.lastOkAt),
      consecutive_failures: this.failures,
      last_error: this.lastError,
      overdue_after: iso(this.overdueAfter),
    };
  }
}
