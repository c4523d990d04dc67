import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Keypair } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import { http, register, startSim } from './helpers.js';

async function waitFor<T>(probe: () => Promise<T | null>, tries = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await probe();
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached');
}

describe('webhook deliveries', () => {
  it('delivers narrative.created and narrative.resolved to a loopback URL, retrying with backoff after failures', async () => {
    const received: Array<{ event: string; body: any }> = [];
    let failuresLeft = 2;
    const hook = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        if (failuresLeft > 0) {
          failuresLeft--;
          res.writeHead(500).end();
          return;
        }
        received.push({ event: String(req.headers['x-magma-event']), body: JSON.parse(text) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/token123`;
    const t = await startSim({ seed: 17, webhooks: { backoffMs: 5, maxAttempts: 5 } });
    try {
      const key = await register(t.base, Keypair.generate());
      expect((await http(t.base, 'POST', '/v1/agent/webhook', { url, events: ['narrative.created', 'narrative.resolved'] }, { 'x-api-key': key })).status).toBe(200);
      t.clock.advance(24 * 3_600_000);
      await http(t.base, 'GET', '/v1/system/status'); // any request brings the world up to the clock
      const log = await waitFor(async () => {
        const d = (await http(t.base, 'GET', '/__sim/webhooks')).body.deliveries as any[];
        return d.length > 0 && d.every((x) => x.status !== 'pending') ? d : null;
      });
      expect(log.every((d) => d.status === 'delivered')).toBe(true);
      // The first two attempts met 500s and were retried: two more attempts than deliveries in all.
      expect(log.reduce((s, d) => s + d.attempts, 0)).toBe(log.length + 2);
      const events = new Set(received.map((r) => r.event));
      expect(events).toEqual(new Set(['narrative.created', 'narrative.resolved']));
      expect(received[0]!.body).toMatchObject({ event: expect.any(String), data: { narrative: { id: expect.any(String), oracle_status: expect.any(String) } } });
    } finally {
      await t.sim.stop();
      await new Promise((r) => hook.close(r));
    }
  });

  it('never sends to a URL off loopback', async () => {
    const t = await startSim({ seed: 18 });
    try {
      const key = await register(t.base, Keypair.generate());
      await http(t.base, 'POST', '/v1/agent/webhook', { url: 'https://bot.example/hooks', events: ['narrative.created'] }, { 'x-api-key': key });
      t.clock.advance(6 * 3_600_000);
      const d = (await http(t.base, 'GET', '/__sim/webhooks')).body.deliveries as any[];
      expect(d.length).toBeGreaterThan(0);
      expect(d.every((x) => x.status === 'skipped' && x.attempts === 0)).toBe(true);
    } finally {
      await t.sim.stop();
    }
  });
});
