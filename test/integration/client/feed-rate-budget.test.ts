// Against the real simulator on loopback, with a shared clock that fires the client's waits at once (no real time
// passes): the client keeps below the feed limit for a simulated hour, and after a forced 429 sends nothing of that
// family before retry-after.
import { Keypair } from '@solana/web3.js';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { MagmaError } from '../../../src/core/errors.js';
import { HttpTransport } from '../../../src/http/transport.js';
import { HttpMagmaApi } from '../../../src/magma/http-magma-api.js';
import { documentedLimits, RateBudget } from '../../../src/magma/rate-budget.js';
import type { ApiCallRecord } from '../../../src/ports/store.js';
import { Simulator } from '../../../src/sim/simulator.js';
import { startTimeForSeed } from '../../../src/sim/world/world.js';
import { VirtualClock } from '../../helpers/virtual-clock.js';

const HOUR = 3_600_000;

describe('feed rate budget against the simulator', () => {
  // One loop (the test's) uses the clock: whenever it waits, time jumps to its timer. Requests take no clock time.
  const clock = new VirtualClock(startTimeForSeed(7), () => 1);
  const sim = new Simulator({ seed: 7, clock, tier: 'free' });
  let transport: HttpTransport;
  let api: HttpMagmaApi;
  let apiKey: string | null = null;
  const calls: ApiCallRecord[] = [];

  beforeAll(async () => {
    const urls = await sim.start();
    transport = new HttpTransport({
      baseUrl: urls.api, timeoutMs: 5_000, onCall: (c) => calls.push(c), nowIso: () => new Date(clock.now()).toISOString(),
      sleep: (ms, s) => clock.sleep(ms, s),
    });
    const budget = new RateBudget({ clock, limits: documentedLimits('free'), safetyMargin: 0.1 });
    api = new HttpMagmaApi({ transport, apiKey: () => apiKey, budget, now: () => clock.now() });
    apiKey = (await api.register({ walletAddress: Keypair.generate().publicKey.toBase58(), name: 'rate-test' })).apiKey;
  });

  afterAll(async () => {
    clock.dispose();
    await transport?.close();
    await sim.stop();
  });

  it('polls as fast as the budget allows for a simulated hour with zero 429s', async () => {
    const start = clock.now();
    let polls = 0;
    while (clock.now() - start < HOUR && polls < 10_000) {
      await api.feed();
      polls++;
    }
    const feedCalls = calls.filter((c) => c.family === 'feed');
    expect(feedCalls.filter((c) => c.status === 429)).toEqual([]);
    // Close to the budget (54/min at most), not starved by it: requests cost no clock time, so the budget alone paces.
    expect(polls).toBeGreaterThan(45 * 60);
    expect(polls).toBeLessThanOrEqual(55 * 61);
  }, 60_000);

  it('polls at the configured interval (60 s) for a simulated hour with zero 429s', async () => {
    const before = calls.length;
    for (let i = 0; i < 60; i++) {
      await api.feed();
      await clock.sleep(60_000);
    }
    expect(calls.slice(before).filter((c) => c.status === 429)).toEqual([]);
  }, 60_000);
});

// A manual clock shared by the simulator and the client: the forced 429 lands in one window however loaded the
// machine is, and waiting out retry-after costs no real time.
describe('a forced 429 against the simulator', () => {
  const clock = new ManualClock(startTimeForSeed(8));
  const sim = new Simulator({ seed: 8, clock, tier: 'free' });
  let transport: HttpTransport;
  const calls: ApiCallRecord[] = [];

  afterAll(async () => {
    await transport?.close();
    await sim.stop();
  });

  it('sends no feed request before retry-after', async () => {
    const urls = await sim.start();
    transport = new HttpTransport({ baseUrl: urls.api, timeoutMs: 5_000, onCall: (c) => calls.push(c), nowIso: () => new Date(clock.now()).toISOString() });
    let apiKey: string | null = null;
    const api = new HttpMagmaApi({
      transport, apiKey: () => apiKey, now: () => clock.now(),
      budget: new RateBudget({ clock, limits: documentedLimits('free'), safetyMargin: 0.1 }),
    });
    apiKey = (await api.register({ walletAddress: Keypair.generate().publicKey.toBase58(), name: 'rate-test-429' })).apiKey;
    await api.feed();

    // Another client on the same key spends the window.
    let raw429 = false;
    for (let i = 0; i < 100 && !raw429; i++) {
      const r = await request(`${urls.api}/v1/agent/feed`, { headers: { 'x-api-key': apiKey } });
      await r.body.dump();
      raw429 = r.statusCode === 429;
    }
    expect(raw429).toBe(true);

    const err = (await api.feed().catch((e: unknown) => e)) as MagmaError<'API_RATE_LIMITED'>;
    expect(err).toBeInstanceOf(MagmaError);
    expect(err.code).toBe('API_RATE_LIMITED');
    const limitedAt = Date.parse(calls.filter((c) => c.status === 429).at(-1)!.at);
    const retryAfter = err.context.retryAfterMs;
    expect(retryAfter).toBeGreaterThan(0);

    const n = calls.length;
    clock.advance(1_000); // time passes, but less than retry-after
    await api.feed(); // a read: waits out the pause on the clock, then goes
    const after = calls.slice(n).filter((c) => c.family === 'feed');
    expect(after).toHaveLength(1);
    expect(Date.parse(after[0]!.at)).toBeGreaterThanOrEqual(limitedAt + retryAfter);
    expect(after[0]!.status).toBe(200);
  }, 30_000);
});
