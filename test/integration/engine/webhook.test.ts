// The webhook receiver on a loopback port: only the token path, only small valid JSON, and a delivery is a hint
// that wakes the daemon early (never before poll.minGapSeconds), nothing more.
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../../src/clock/test-clock.js';
import { isMagmaError } from '../../../src/core/errors.js';
import { runDaemon } from '../../../src/engine/daemon.js';
import type { TickSummary } from '../../../src/engine/engine.js';
import { IntervalSchedule } from '../../../src/engine/schedule.js';
import { Wakeup } from '../../../src/engine/wakeup.js';
import { silentLogger } from '../../../src/log/logger.js';
import { MAX_WEBHOOK_BODY, WebhookReceiver } from '../../../src/webhook/receiver.js';

const TOKEN = 'a'.repeat(64);
let receiver: WebhookReceiver | null = null;
afterEach(async () => receiver?.stop());

async function post(url: string, body: string | Buffer, method = 'POST') {
  const res = await request(url, { method: method as 'POST', body, headers: { 'content-type': 'application/json' } });
  await res.body.dump();
  return res.statusCode;
}

describe('webhook receiver', () => {
  it('accepts a small JSON delivery on the token path as a hint, and refuses everything else', async () => {
    const hints: string[] = [];
    receiver = new WebhookReceiver({ bind: '127.0.0.1', port: 0, token: TOKEN, logger: silentLogger(), onHint: (h) => hints.push(h) });
    const url = await receiver.start();
    const base = url.slice(0, url.indexOf('/magma/'));
    expect(await post(url, JSON.stringify({ event: 'narrative.created', data: { id: 'x' } }))).toBe(204);
    expect(hints).toEqual(['webhook narrative.created']);
    expect(await post(`${base}/magma/webhook/${'b'.repeat(64)}`, '{}')).toBe(404);
    expect(await post(`${base}/magma/webhook/`, '{}')).toBe(404);
    expect(await post(`${base}/`, '{}')).toBe(404);
    expect(await post(url, 'not json')).toBe(400);
    expect(await post(url, Buffer.alloc(MAX_WEBHOOK_BODY + 1, 0x20))).toBe(413);
    expect(await post(url, '', 'GET')).toBe(405);
    expect(await post(url, JSON.stringify({ event: '<script>alert(1)</script>' }))).toBe(204);
    expect(hints[1]).toBe('webhook delivery'); // an odd event name is never echoed into logs
    expect(receiver.accepted).toBe(2);
  });

  it('says what to do when its port is taken', async () => {
    receiver = new WebhookReceiver({ bind: '127.0.0.1', port: 0, token: TOKEN, logger: silentLogger(), onHint: () => {} });
    const url = await receiver.start();
    const port = Number(new URL(url).port);
    const second = new WebhookReceiver({ bind: '127.0.0.1', port, token: TOKEN, logger: silentLogger(), onHint: () => {} });
    const err = await second.start().catch((e: unknown) => e);
    expect(isMagmaError(err, 'WEBHOOK_BIND_FAILED')).toBe(true);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
  });

  it('a delivery wakes the daemon early, but not before the minimum gap', async () => {
    const wake = new Wakeup();
    receiver = new WebhookReceiver({ bind: '127.0.0.1', port: 0, token: TOKEN, logger: silentLogger(), onHint: (h) => wake.trigger(h) });
    const url = await receiver.start();
    const T0 = Date.parse('2026-04-01T00:00:00Z');
    const clock = new TestClock(T0);
    const started: number[] = [];
    const engine = {
      async tick() {
        started.push(clock.now());
        return {} as TickSummary;
      },
    };
    const done = runDaemon({
      engine, clock, logger: silentLogger(), signal: new AbortController().signal, wake, minGapMs: 300,
      schedule: new IntervalSchedule(60_000, 0), maxTicks: 2,
    });
    await clock.untilPending(1); // asleep after the first tick, until the 60 s interval is up
    expect(clock.nextTimerAt()).toBe(T0 + 60_000);
    expect(await post(url, '{"event":"narrative.resolved"}')).toBe(204);
    await clock.untilPending(1);
    expect(clock.nextTimerAt()).toBe(T0 + 300); // woken: now only the minimum gap is left
    await clock.advance(299);
    expect(started).toEqual([T0]); // …which holds
    await clock.advance(1);
    await done;
    expect(started).toEqual([T0, T0 + 300]); // and it did not wait out the interval
  });
});

describe('webhook registration', () => {
  it('registers the URL once with the simulator, and never in dry-run', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { Simulator } = await import('../../../src/sim/simulator.js');
    const { ManualClock } = await import('../../../src/clock/manual-clock.js');
    const { startTimeForSeed } = await import('../../../src/sim/world/world.js');
    const { loadConfig } = await import('../../../src/config/load.js');
    const { createAgent } = await import('../../../src/app/agent.js');
    const clock = new ManualClock(startTimeForSeed(5));
    const sim = new Simulator({ seed: 5, clock });
    const urls = await sim.start();
    const { config } = loadConfig({ env: {}, flags: { dataDir: mkdtempSync(join(tmpdir(), 'magma-hook-')), 'api.url': urls.api, 'rpc.url': urls.rpc, 'prices.source': 'sim', 'prices.url': urls.api } });
    const agent = await createAgent({ config, logger: silentLogger(), apiKeyOverride: null, clock, createWalletIfMissing: true });
    try {
      const url = `https://bot.example.test/magma/webhook/${TOKEN}`;
      const dry = await createAgent({ config: { ...config, dryRun: true }, logger: silentLogger(), apiKeyOverride: null, clock, createWalletIfMissing: true });
      try {
        expect(await dry.registerWebhook(url)).toBe(false);
        expect(dry.store.db.prepare(`SELECT COUNT(*) FROM api_calls WHERE route = '/v1/agent/webhook'`).pluck().get()).toBe(0); // nothing sent
      } finally {
        await dry.close();
      }
      expect(await agent.registerWebhook(url)).toBe(true);
      expect(await agent.registerWebhook(url)).toBe(true);
      const calls = agent.store.db.prepare(`SELECT COUNT(*) FROM api_calls WHERE route = '/v1/agent/webhook'`).pluck().get();
      expect(calls).toBe(1); // registered once
    } finally {
      await agent.close();
      await sim.stop();
    }
  });
});
