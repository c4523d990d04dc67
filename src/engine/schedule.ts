// When the next tick is due: every poll.intervalSeconds plus jitter, or on a cron expression (poll.cron, UTC,
// parsed by node-cron and evaluated against the injected clock so simulated time and backtests follow it too).
import cron from 'node-cron';
import { MagmaError } from '../core/errors.js';

export interface Schedule {
  /** The time (ms) the next tick is due, given when the last one started. */
  nextAfter(lastStartMs: number, random: () => number): number;
  describe(): string;
}

export class IntervalSchedule implements Schedule {
  constructor(private readonly intervalMs: number, private readonly jitterMs: number) {}

  nextAfter(lastStartMs: number, random: () => number): number {
    return lastStartMs + this.intervalMs + random() * this.jitterMs;
  }

  describe(): string {
    return `every ${this.intervalMs / 1000} s (+ up to ${this.jitterMs / 1000} s jitter)`;
  }
}

interface Fields {
  second: Set<number>;
  minute: Set<number>;
  hour: Set<number>;
  dayOfMonth: Set<number>;
  month: Set<number>;
  dayOfWeek: Set<number>;
  domRestricted: boolean;
  dowRestricted: boolean;
}

const MINUTE = 60_000;
const MAX_SEARCH_MINUTES = 366 * 24 * 60;

export class CronSchedule implements Schedule {
  private readonly fields: Fields;

  constructor(private readonly expression: string, private readonly jitterMs = 0) {
    const check = cron.validateDetailed(expression);
    if (!check.valid) {
      throw new MagmaError('CONFIG_INVALID', `"poll.cron" is not a valid cron expression (${check.errors.map((e) => e.message).join('; ')}).`, {
        hint: 'Use five fields (minute hour day month weekday), e.g. "*/2 * * * *"; or remove poll.cron to use poll.intervalSeconds.',
      });
    }
    const p = cron.parse(expression);
    const numbers = (list: Array<number | string>, field: string) => {
      if (!list.every((v) => typeof v === 'number')) {
        throw new MagmaError('CONFIG_INVALID', `"poll.cron" uses a ${field} feature this agent does not schedule (${expression}).`, { hint: 'Use plain numbers, ranges, lists and steps.' });
      }
      return new Set(list as number[]);
    };
    const dow = numbers(p.dayOfWeek, 'day-of-week');
    if (dow.has(7)) dow.add(0);
    this.fields = {
      second: new Set(p.second), minute: new Set(p.minute), hour: new Set(p.hour), dayOfMonth: numbers(p.dayOfMonth, 'day-of-month'),
      month: new Set(p.month), dayOfWeek: dow, domRestricted: p.dayOfMonth.length < 31, dowRestricted: dow.size < 7,
    };
  }

  private dayMatches(d: Date): boolean {
    const f = this.fields;
    const dom = f.dayOfMonth.has(d.getUTCDate());
    const dow = f.dayOfWeek.has(d.getUTCDay());
    // cron's rule: when both day fields are restricted, either may match
    if (f.domRestricted && f.dowRestricted) return dom || dow;
    return dom && dow;
  }

  nextAfter(lastStartMs: number, random: () => number): number {
    const f = this.fields;
    const seconds = [...f.second].sort((a, b) => a - b);
    let minute = Math.floor(lastStartMs / MINUTE) * MINUTE;
    for (let i = 0; i <= MAX_SEARCH_MINUTES; i++, minute += MINUTE) {
      const d = new Date(minute);
      if (!f.month.has(d.getUTCMonth() + 1) || !f.hour.has(d.getUTCHours()) || !f.minute.has(d.getUTCMinutes()) || !this.dayMatches(d)) continue;
      for (const s of seconds) {
        const at = minute + s * 1000;
        if (at > lastStartMs) return at + random() * this.jitterMs;
      }
    }
    throw new MagmaError('CONFIG_INVALID', `"poll.cron" (${this.expression}) never fires within a year.`, { hint: 'Fix the expression.' });
  }

  describe(): string {
    return `on cron "${this.expression}" (UTC)`;
  }
}
