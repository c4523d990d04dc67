// Delivers the world's narrative.created / narrative.resolved events to the URLs agents registered
// (POST /v1/agent/webhook): loopback URLs only (the simulator never sends traffic elsewhere), with retries and
// exponential backoff on failures, and a log of every delivery at GET /__sim/webhooks. MAGMA documents no payload
// shape, signature or retry policy, so all three are ours; a client must treat a delivery only as a hint to poll.
import { request } from 'undici';
import type { SimState } from '../sim-state.js';
import { toFeedItem } from '../world/wire.js';
import type { WorldEvent } from '../world/world.js';

export interface WebhookDelivery {
  id: number;
  agentId: string;
  url: string;
  event: string;
  narrativeId: string;
  attempts: number;
  status: 'pending' | 'delivered' | 'failed' | 'skipped';
  lastStatus: number | null;
  lastError: string | null;
}

export interface DispatcherOptions {
  /** First retry delay in real ms (doubles per attempt). */
  backoffMs?: number;
  maxAttempts?: number;
  timeoutMs?: number;
}

function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}

export class WebhookDispatcher {
  readonly deliveries: WebhookDelivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<AbortController>();
  private stopped = false;
  private nextId = 1;
  private readonly backoffMs: number;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;

  constructor(private readonly state: SimState, options: DispatcherOptions = {}) {
    this.backoffMs = options.backoffMs ?? 1000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.timeoutMs = options.timeoutMs ?? 5000;
    state.world.onEvent((e) => this.onEvent(e));
  }

  private onEvent(e: WorldEvent): void {
    if (this.stopped) return;
    for (const hook of this.state.webhooks.values()) {
      if (!hook.events.includes(e.type)) continue;
      const d: WebhookDelivery = {
        id: this.nextId++, agentId: hook.agentId, url: hook.url, event: e.type, narrativeId: e.narrative.id, attempts: 0,
        status: isLoopbackUrl(hook.url) ? 'pending' : 'skipped', lastStatus: null, lastError: isLoopbackUrl(hook.url) ? null : 'not a loopback URL: never delivered',
      };
      this.deliveries.push(d);
      if (this.deliveries.length > 10_000) this.deliveries.splice(0, this.deliveries.length - 10_000);
      if (d.status === 'skipped') continue;
      const body = JSON.stringify({ event: e.type, delivery_id: d.id, created_at: new Date(e.at).toISOString(), data: { narrative: toFeedItem(e.narrative) } });
      this.schedule(d, body, 0);
    }
  }

  private schedule(d: WebhookDelivery, body: string, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(d, body);
    }, delayMs);
    this.timers.add(timer);
  }

  private async attempt(d: WebhookDelivery, body: string): Promise<void> {
    if (this.stopped) return;
    d.attempts++;
    const controller = new AbortController();
    this.inflight.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const res = await request(d.url, {
        method: 'POST', body, signal: controller.signal,
        headers: { 'content-type': 'application/json', 'user-agent': 'magma-sim-webhooks/1', 'x-magma-event': d.event, 'x-magma-delivery': String(d.id) },
      });
      await res.body.dump();
      d.lastStatus = res.statusCode;
      d.lastError = null;
      if (res.statusCode >= 200 && res.statusCode < 300) {
        d.status = 'delivered';
        return;
      }
    } catch (err) {
      d.lastError = (err as Error).message;
    } finally {
      clearTimeout(timeout);
      this.inflight.delete(controller);
    }
    if (this.stopped) return;
    if (d.attempts >= this.maxAttempts) d.status = 'failed';
    else this.schedule(d, body, this.backoffMs * 2 ** (d.attempts - 1));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.inflight) c.abort();
  }
}
