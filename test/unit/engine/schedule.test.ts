import { describe, expect, it } from 'vitest';
import { isMagmaError } from '../../../src/core/errors.js';
import { CronSchedule, IntervalSchedule } from '../../../src/engine/schedule.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const none = () => 0;

describe('schedules', () => {
  it('interval: last start + interval + jitter', () => {
    expect(new IntervalSchedule(60_000, 10_000).nextAfter(1_000, () => 0.5)).toBe(66_000);
  });

  it('cron: every two minutes, strictly after the last start', () => {
    const s = new CronSchedule('*/2 * * * *');
    expect(iso(s.nextAfter(at('2026-05-20T12:00:00Z'), none))).toBe('2026-05-20T12:02:00.000Z');
    expect(iso(s.nextAfter(at('2026-05-20T12:01:30Z'), none))).toBe('2026-05-20T12:02:00.000Z');
  });

  it('cron: weekdays in working hours, and seconds when given six fields', () => {
    const s = new CronSchedule('*/15 9-17 * * 1-5');
    // Friday 17:50 → Monday 09:00
    expect(iso(s.nextAfter(at('2026-05-22T17:50:00Z'), none))).toBe('2026-05-25T09:00:00.000Z');
    expect(iso(new CronSchedule('30 * * * * *').nextAfter(at('2026-05-20T12:00:31Z'), none))).toBe('2026-05-20T12:01:30.000Z');
  });

  it('cron: day-of-month and day-of-week restricted together match either (cron\'s rule)', () => {
    const s = new CronSchedule('0 0 1 * 1'); // the 1st of the month, or any Monday
    expect(iso(s.nextAfter(at('2026-05-20T12:00:00Z'), none))).toBe('2026-05-25T00:00:00.000Z');
  });

  it('refuses an invalid expression with a configuration error naming poll.cron', () => {
    const err = (() => { try { new CronSchedule('61 * * * *'); } catch (e) { return e; } })();
    expect(isMagmaError(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toContain('"poll.cron"');
  });
});
