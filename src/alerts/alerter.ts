// Notifications to the operator (alerts.url, alerts.format): each alert is redacted, de-duplicated by key, rate
// limited (alerts.maxPerHour) and queued; one sender posts them in order in the background, so an alert never holds
// a tick. A receiver that is down loses alerts (logged at warn), never the agent's progress.
import { request } from 'undici';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redactor.js';

export type AlertFormat = 'json' | 'slack' | 'discord' | 'telegram';
export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface Alert {
  /** The alerts.events family it belongs to (backing, verdict, gate, …). */
  event: string;
  /** Identical keys within the de-duplication window are sent once. */
  key: string;
  severity: AlertSeverity;
  title: string;
  fields?: Record<string, string | number | boolean | null>;
}

export interface AlerterOptions {
  url: string;
  format: AlertFormat;
  events: readonly string[];
  maxPerHour: number;
  agent: string;
  logger: Logger;
  redactor: Redactor;
  dedupeMs?: number;
  timeoutMs?: number;
  queueLimit?: number;
  now?: () => number;
}

const ICON: Record<AlertSeverity, string> = { info: 'ℹ️', warning: '⚠️', critical: '🛑' };

/** The body each format expects: Slack and Telegram take `text`, Discord `content`; json keeps every field. */
export function alertBody(format: AlertFormat, a: Alert & { at: string; agent: string; dropped: number }): unknown {
  const lines = Object.entries(a.fields ?? {}).map(([k, v]) => `${k}: ${String(v)}`);
  if (a.dropped) lines.push(`(${a.dropped} earlier alerts were dropped by the rate limit)`);
  const text = [`${ICON[a.severity]} magma-agent ${a.agent}: ${a.title}`, ...lines].join('\n');
  switch (format) {
    case 'slack':
      return { text };
    case 'discord':
      return { content: text.slice(0, 2000) };
    case 'telegram':
      return { text: text.slice(0, 4096), disable_web_page_preview: true };
    default:
      return { event: a.event, key: a.key, severity: a.severity, title: a.title, fields: a.fields ?? {}, at: a.at, agent: a.agent, dropped: a.dropped };
  }
}

export class Alerter {
  private readonly sentKeys = new Map<string, number>();
  private readonly sentTimes: number[] = [];
  private readonly queue: unknown[] = [];
  private dropped = 0;
  private sending: Promise<void> | null = null;
  private readonly now: () => number;

  constructor(private readonly o: AlerterOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Queues the alert if its event is enabled, not a duplicate and within the hourly limit; never throws, never waits. */
  emit(alert: Alert): void {
    try {
      if (!this.o.events.includes(alert.event)) return;
      const now = this.now();
      const dedupeMs = this.o.dedupeMs ?? 60 * 60_000;
      const last = this.sentKeys.get(alert.key);
      if (last !== undefined && now - last < dedupeMs) return;
      while (this.sentTimes.length && now - this.sentTimes[0]! >= 60 * 60_000) this.sentTimes.shift();
      if (this.sentTimes.length >= this.o.maxPerHour) {
        this.dropped++;
        return;
      }
      this.sentKeys.set(alert.key, now);
      if (this.sentKeys.size > 10_000) this.sentKeys.clear(); // bounded memory over months
      this.sentTimes.push(now);
      const body = this.o.redactor.redact(alertBody(this.o.format, { ...alert, at: new Date(now).toISOString(), agent: this.o.agent, dropped: this.dropped }));
      this.dropped = 0;
      if (this.queue.length >= (this.o.queueLimit ?? 100)) this.queue.shift();
      this.queue.push(body);
      this.sending ??= this.drain().finally(() => (this.sending = null));
    } catch (err) {
      this.o.logger.warn('alert.failed', { msg: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Waits (at most timeoutMs) for the queue to empty: on shutdown, so a fatal exit's alert goes out. */
  async flush(timeoutMs = 5_000): Promise<void> {
    if (!this.sending) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.sending, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const body = this.queue.shift();
      try {
        const res = await request(this.o.url, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
          headersTimeout: this.o.timeoutMs ?? 10_000, bodyTimeout: this.o.timeoutMs ?? 10_000,
        });
        await res.body.dump();
        if (res.statusCode >= 300) this.o.logger.warn('alert.refused', { status: res.statusCode, msg: 'the alerts.url receiver refused an alert: check alerts.url and alerts.format' });
      } catch (err) {
        // the URL itself can be a secret (Slack, Discord, Telegram tokens): the redactor masks it
        this.o.logger.warn('alert.unsent', { msg: this.o.redactor.redactString(err instanceof Error ? err.message : String(err)) });
      }
    }
  }
}
