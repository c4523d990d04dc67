import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { MagmaError } from '../../../src/core/errors.js';
import { runDaemon } from '../../../src/engine/daemon.js';
import type { TickSummary } from '../../../src/engine/engine.js';
import { silentLogger } from '../../../src/log/logger.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';

const summary = {} as TickSummary;

function scriptedEngine(clock: ManualClock, script: Array<() => Promise<TickSummary>>) {
  const startedAt: number[] = [];
  let running = 0;
  let maxConcurrent = 0;
  return {
    startedAt,
    maxConcurrent: () => maxConcurrent,
    engine: {
      async tick() {
        startedAt.push(clock.now());
        running++;
        maxConcurrent = Math.max(maxConcurrent, running);
        try {
          return await (script[startedAt.length - 1] ?? (async () => summary))();
        } finally {
          running--;
        }
      },
    },
  };
}

describe('daemon loop', () => {
  it('ticks on the interval, one at a time, a slow tick delaying the next', async () => {
    const clock = new ManualClock(0);
    const slow = async () => { clock.advance(90_000); return summary; }; // a tick that takes 90 s
    const s = scriptedEngine(clock, [slow]);
    await runDaemon({ engine: s.engine, clock, logger: silentLogger(), intervalMs: 60_000, jitterMs: 0, signal: new AbortController().signal, maxTicks: 3 });
    expect(s.startedAt).toEqual([0, 150_000, 210_000]);
    expect(s.maxConcurrent()).toBe(1);
  });

  it('after a 429 makes no call before retry-after', async () => {
    const clock = new ManualClock(0);
    const limited = async () => { throw new MagmaError('API_RATE_LIMITED', '429', { context: { retryAfterMs: 300_000 } }); };
    const s = scriptedEngine(clock, [limited]);
    await runDaemon({ engine: s.engine, clock, logger: silentLogger(), intervalMs: 60_000, jitterMs: 0, signal: new AbortController().signal, maxTicks: 2 });
    expect(s.startedAt).toEqual([0, 300_000]);
  });

  it('backs off while the API is down and recovers', async () => {
    const clock = new ManualClock(0);
    const down = async () => { throw new MagmaError('API_UNAVAILABLE', '502'); };
    const s = scriptedEngine(clock, [down, down, down]);
    const r = await runDaemon({ engine: s.engine, clock, logger: silentLogger(), intervalMs: 60_000, jitterMs: 0, signal: new AbortController().signal, maxTicks: 5 });
    expect(s.startedAt).toEqual([0, 60_000, 180_000, 420_000, 480_000]);
    expect(r.failures).toBe(3);
  });

  it('stops for an operator on errors that need one', async () => {
    const clock = new ManualClock(0);
    const full = async () => { throw new MagmaError('STORE_FAILED', 'disk full'); };
    const s = scriptedEngine(clock, [full]);
    await expect(runDaemon({ engine: s.engine, clock, logger: silentLogger(), intervalMs: 60_000, jitterMs: 0, signal: new AbortController().signal })).rejects.toThrow('disk full');
    expect(s.startedAt).toEqual([0]);
  });

  it('goes on after a value the store refused (a crash loop under systemd when it stopped): that tick fails, the next runs', async () => {
    const clock = new ManualClock(0);
    const store = SqliteStore.open(':memory:');
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { deep };
    let n = 0;
    const refused = async () => {
      const narrative = { id: `n${++n}`, title: 't', thesis: 'x', category: 'Crypto', oracleStatus: 'open', totalBackedLamports: 0n, backerCount: 0, challengeCount: 0, createdAt: '' };
      store.recordFeed(store.beginTick('2026-04-07T00:00:00.000Z'), '2026-04-07T00:00:00.000Z', [{ narrative, raw: deep }]);
      return summary;
    };
    const s = scriptedEngine(clock, [refused, refused]);
    const r = await runDaemon({ engine: s.engine, clock, logger: silentLogger(), intervalMs: 60_000, jitterMs: 0, signal: new AbortController().signal, maxTicks: 3 });
    store.close();
    expect(s.startedAt).toHaveLength(3);
    expect(r.failures).toBe(2);
  });

  it('stops on a rejected key only when it stays rejected for three ticks', async () => {
    const clock = new ManualClock(0);
    const bad = async () => { throw new MagmaError('API_UNAUTHORIZED', '401'); };
    const glitch = scriptedEngine(clock, [bad]);
    await runDaemon({ engine: glitch.engine, clock, logger: silentLogger(), intervalMs: 60_000, jitterMs: 0, signal: new AbortController().signal, maxTicks: 3 });
    expect(glitch.startedAt).toHaveLength(3); // one 401, then recovered
    const revoked = scriptedEngine(clock, [bad, bad, bad, bad]);
    await expect(runDaemon({ engine: revoked.engine, clock, logger: silentLogger(), intervalMs: 60_000, jitterMs: 0, signal: new AbortController().signal })).rejects.toThrow('401');
    expect(revoked.startedAt).toHaveLength(3);
  });

  it('adds jitter within the configured bound', async () => {
    const clock = new ManualClock(0);
    const s = scriptedEngine(clock, []);
    await runDaemon({ engine: s.engine, clock, logger: silentLogger(), intervalMs: 60_000, jitterMs: 10_000, random: () => 0.5, signal: new AbortController().signal, maxTicks: 2 });
    expect(s.startedAt).toEqual([0, 65_000]);
  });

  it('returns at once when aborted', async () => {
    const clock = new ManualClock(0);
    const controller = new AbortController();
    const s = scriptedEngine(clock, [async () => { controller.abort(); return summary; }]);
    const r = await runDaemon({ engine: s.engine, clock, logger: silentLogger(), intervalMs: 60_000, jitterMs: 0, signal: controller.signal });
    expect(r.ticks).toBe(1); // the tick in flight finished; no sleep, no further tick
    expect(s.startedAt).toEqual([0]);
  });
});
