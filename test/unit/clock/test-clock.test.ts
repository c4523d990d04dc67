import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../src/clock/test-clock.js';

describe('TestClock', () => {
  it('fires due timers in time order as it advances, each at its own time, and no later ones', async () => {
    const clock = new TestClock(1_000);
    const fired: Array<[string, number]> = [];
    clock.setTimer(300, () => fired.push(['c', clock.now()]));
    clock.setTimer(100, () => fired.push(['a', clock.now()]));
    clock.setTimer(100, () => fired.push(['b', clock.now()])); // same time: in the order set
    clock.setTimer(900, () => fired.push(['late', clock.now()]));
    await clock.advance(500);
    expect(fired).toEqual([['a', 1_100], ['b', 1_100], ['c', 1_300]]);
    expect(clock.now()).toBe(1_500);
    expect(clock.pending).toBe(1);
    expect(clock.nextTimerAt()).toBe(1_900);
  });

  it('runs the code a sleep wakes before the next timer, so sleeps it sets in turn fire within the same advance', async () => {
    const clock = new TestClock(0);
    const woke: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(60_000);
        woke.push(clock.now());
      }
    })();
    await clock.advance(150_000);
    expect(woke).toEqual([60_000, 120_000]);
    await clock.advance(30_000);
    await loop;
    expect(woke).toEqual([60_000, 120_000, 180_000]);
  });

  it('an aborted sleep rejects with the reason and its timer is gone', async () => {
    const clock = new TestClock(0);
    const ac = new AbortController();
    const sleeping = clock.sleep(10_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pending).toBe(0);
    await expect(clock.sleep(1, ac.signal)).rejects.toThrow('stop');
  });

  it('fireNext jumps to the earliest timer; untilPending waits for the code under test to go to sleep', async () => {
    const clock = new TestClock(0);
    expect(await clock.fireNext()).toBe(false);
    void (async () => {
      await Promise.resolve();
      await clock.sleep(5_000);
    })();
    await clock.untilPending(1);
    expect(await clock.fireNext()).toBe(true);
    expect(clock.now()).toBe(5_000);
    await expect(clock.untilPending(1, 10)).rejects.toThrow('expected 1 timer(s) to be set; 0 are');
  });
});
