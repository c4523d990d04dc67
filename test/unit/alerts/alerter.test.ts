// Alerts: each format's body, de-duplication, the hourly limit, redaction, and never throwing or waiting on a
// receiver that is down.
import { describe, expect, it, afterEach } from 'vitest';
import { Alerter, alertBody, type AlertFormat } from '../../../src/alerts/alerter.js';
import { silentLogger } from '../../../src/log/logger.js';
import { Redactor } from '../../../src/log/redactor.js';
import { alertReceiver } from '../../helpers/alert-receiver.js';

const SECRET = 'mgma_live_0123456789abcdef';
let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

function alerter(url: string, o: { format?: AlertFormat; maxPerHour?: number; events?: string[]; now?: () => number } = {}) {
  const redactor = new Redactor();
  redactor.add(SECRET);
  return new Alerter({
    url, format: o.format ?? 'json', events: o.events ?? ['backing', 'gate', 'fatal'], maxPerHour: o.maxPerHour ?? 30, agent: 'test-agent',
    logger: silentLogger(), redactor, ...(o.now ? { now: o.now } : {}),
  });
}

describe('alert bodies', () => {
  const a = { event: 'gate', key: 'k', severity: 'warning' as const, title: 'backing gate closed', fields: { reason: 'halted' }, at: '2026-01-01T00:00:00.000Z', agent: 'a1', dropped: 0 };
  it('puts the text where each service reads it', () => {
    expect(alertBody('slack', a)).toEqual({ text: expect.stringContaining('backing gate closed\nreason: halted') });
    expect(alertBody('discord', a)).toEqual({ content: expect.stringContaining('magma-agent a1: backing gate closed') });
    expect(alertBody('telegram', a)).toMatchObject({ text: expect.stringContaining('reason: halted') });
    expect(alertBody('json', a)).toMatchObject({ event: 'gate', severity: 'warning', title: 'backing gate closed', fields: { reason: 'halted' }, agent: 'a1' });
  });
});

describe('Alerter', () => {
  it('sends an enabled alert once per key, and nothing for a disabled event', async () => {
    const rx = await alertReceiver();
    close = rx.close;
    const al = alerter(rx.url);
    al.emit({ event: 'gate', key: 'gate:closed:halted', severity: 'warning', title: 'backing gate closed' });
    al.emit({ event: 'gate', key: 'gate:closed:halted', severity: 'warning', title: 'backing gate closed' });
    al.emit({ event: 'daily', key: 'daily:1', severity: 'info', title: 'not subscribed' });
    al.emit({ event: 'fatal', key: 'fatal:1', severity: 'critical', title: 'stopped' });
    await al.flush();
    expect(rx.bodies.map((b) => (b as { title: string }).title)).toEqual(['backing gate closed', 'stopped']);
  });

  it('holds to the hourly limit and says how many were dropped', async () => {
    const rx = await alertReceiver();
    close = rx.close;
    let now = 0;
    const al = alerter(rx.url, { maxPerHour: 2, now: () => now });
    for (let i = 0; i < 5; i++) al.emit({ event: 'backing', key: `b${i}`, severity: 'info', title: `backed ${i}` });
    now += 60 * 60_000;
    al.emit({ event: 'backing', key: 'b5', severity: 'info', title: 'backed 5' });
    await al.flush();
    expect(rx.bodies.map((b) => (b as { title: string }).title)).toEqual(['backed 0', 'backed 1', 'backed 5']);
    expect(rx.bodies[2]).toMatchObject({ dropped: 3 });
  });

  it('masks secrets in every alert', async () => {
    const rx = await alertReceiver();
    close = rx.close;
    const al = alerter(rx.url, { format: 'slack' });
    al.emit({ event: 'fatal', key: 'f', severity: 'critical', title: `stopped: key ${SECRET} refused`, fields: { error: `401 for ${SECRET}` } });
    await al.flush();
    expect(JSON.stringify(rx.bodies)).not.toContain(SECRET);
    expect(JSON.stringify(rx.bodies)).toContain('[REDACTED]');
  });

  it('returns at once and never throws while the receiver is down', async () => {
    const rx = await alertReceiver();
    const url = rx.url;
    await rx.close(); // nothing listens there any more
    const al = alerter(url);
    al.emit({ event: 'fatal', key: 'f', severity: 'critical', title: 'stopped' });
    await al.flush();
  });
});
