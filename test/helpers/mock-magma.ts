// A MockAgent-backed MAGMA API for unit tests: every request is answered by an interceptor the test sets, and
// anything unexpected fails (the network is cut off).
import { MockAgent } from 'undici';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { HttpTransport } from '../../src/http/transport.js';
import { HttpMagmaApi } from '../../src/magma/http-magma-api.js';
import { RateBudget, documentedLimits } from '../../src/magma/rate-budget.js';
import type { ApiCallRecord } from '../../src/ports/store.js';

export const ORIGIN = 'http://127.0.0.1:9';
export const JSON_HEADERS = { 'content-type': 'application/json' };

export function mockMagma(o: { apiKey?: string | null; budget?: boolean; clock?: ManualClock; timeoutMs?: number } = {}) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(ORIGIN);
  const calls: ApiCallRecord[] = [];
  const clock = o.clock ?? new ManualClock(Date.parse('2026-04-01T00:00:00Z'));
  const transport = new HttpTransport({
    baseUrl: ORIGIN, timeoutMs: o.timeoutMs ?? 2_000, dispatcher: agent, onCall: (c) => calls.push(c), backoffMs: 1,
    sleep: (ms, signal) => clock.sleep(ms, signal), nowIso: () => new Date(clock.now()).toISOString(),
  });
  const budget = o.budget ? new RateBudget({ clock, limits: documentedLimits('free'), safetyMargin: 0.1 }) : undefined;
  const api = new HttpMagmaApi({
    transport, apiKey: () => (o.apiKey === undefined ? 'test-key-0123456789' : o.apiKey), now: () => clock.now(), ...(budget ? { budget } : {}),
  });
  return { agent, pool, api, calls, clock, budget, transport };
}
