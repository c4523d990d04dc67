// What the daemon's operations layer turns ticks and calls into: alerts for unreachable APIs after N minutes,
// a balance at the reserve, stuck backings, gates closing and opening, the daily summary; metrics kept in process.
import { describe, expect, it } from 'vitest';
import type { Alert, Alerter } from '../../../src/alerts/alerter.js';
import type { TickSummary } from '../../../src/engine/engine.js';
import { AgentMetrics } from '../../../src/metrics/agent-metrics.js';
import { DaemonOps } from '../../../src/ops/daemon-ops.js';
import { Health } from '../../../src/ops/health.js';

function summary(over: Partial<TickSummary> = {}): TickSummary {
  return {
    tickId: 1, feedCount: 10, dropped: 1, changed: 3, backed: [], skipped: 10, resolved: [], settled: [], balance: 5_000_000_000n,
    gates: { backing: { open: true, reason: null }, resolution: { open: true, reason: null } }, ...over,
  };
}

function setup(journal = { inFlight: 0, stuck: 0, openPositions: 0, exposure: 0n }) {
  let now = 0;
  const alerts: Alert[] = [];
  const metrics = new AgentMetrics({ version: 't', ledger: 'live', sim: false, processMetrics: false, now: () => now });
  const ops = new DaemonOps({
    health: new Health({ graceMs: 1000, now: () => now }), metrics, alerter: { emit: (a: Alert) => alerts.push(a) } as unknown as Alerter,
    reserveLamports: 50_000_000n, unreachableMs: 10 * 60_000, ledger: 'live', journal: () => journal, now: () => now,
  });
  return { ops, alerts, metrics, advance: (ms: number) => (now += ms) };
}

const call = (family: string, status: number | null) => ({ at: '', family, method: 'GET', route: '/x', status, latencyMs: 1, budgetRemaining: 7 });

describe('DaemonOps', () => {
  it('alerts once when the API stays unanswered for the configured minutes, and again when it answers', () => {
    const { ops, alerts, advance } = setup();
    ops.onCall(call('feed', null));
    advance(5 * 60_000);
    ops.onTickFailed(new Error('down'));
    expect(alerts).toHaveLength(0);
    advance(6 * 60_000);
    ops.onCall(call('public', 503));
    ops.onTickFailed(new Error('down'));
    ops.onTickFailed(new Error('down'));
    expect(alerts.map((a) => a.title)).toEqual(['MAGMA API unreachable for 11 min']);
    ops.onCall(call('feed', 200));
    expect(alerts.map((a) => a.title)[1]).toBe('MAGMA API answers again');
  });

  it('alerts on a balance at the reserve, stuck backings, a closing and reopening gate, and backings', () => {
    const { ops, alerts } = setup({ inFlight: 2, stuck: 1, openPositions: 3, exposure: 7n });
    ops.onTick(summary());
    ops.onTick(summary({ balance: 50_000_000n, gates: { backing: { open: false, reason: 'protocol halted: all' }, resolution: { open: false, reason: 'x' } } }));
    ops.onTick(summary({ backed: [{ narrativeId: 'n1', action: 'back', stakeLamports: 1_000_000_000n, pTrue: 0.9, confidence: 0.8, edge: 0.05, expectedValue: 0.01, reasons: [] }] }));
    const events = alerts.map((a) => `${a.event}: ${a.title}`);
    expect(events).toContain('stuck: 1 backing(s) in flight for too long: see `magma-agent portfolio` and docs/executor.md');
    expect(events.some((e) => /^balance: wallet balance 0\.05\d* SOL is at or below the reserve/.test(e))).toBe(true);
    expect(events).toContain('gate: backing gate closed');
    expect(events).toContain('gate: backing gate open again');
    expect(events.some((e) => /^backing: backed 1(\.0+)? SOL/.test(e))).toBe(true);
  });

  it('keeps counters and gauges in process', async () => {
    const { ops, metrics } = setup({ inFlight: 2, stuck: 1, openPositions: 3, exposure: 7n });
    ops.onCall(call('feed', 200));
    ops.onTick(summary());
    ops.observeLog('warn', 'strategy.failed', { strategy: 'crowd' });
    ops.onTickFailed(new Error('x'));
    const text = await metrics.render();
    expect(text).toMatch(/^magma_ticks_total\{status="ok"\} 1$/m);
    expect(text).toMatch(/^magma_ticks_total\{status="failed"\} 1$/m);
    expect(text).toMatch(/^magma_feed_items_total 10$/m);
    expect(text).toMatch(/^magma_feed_items_rejected_total 1$/m);
    expect(text).toMatch(/^magma_backings_in_flight 2$/m);
    expect(text).toMatch(/^magma_backings_stuck 1$/m);
    expect(text).toMatch(/^magma_exposure_lamports 7$/m);
    expect(text).toMatch(/^magma_strategy_errors_total\{strategy="crowd"\} 1$/m);
    expect(text).toMatch(/^magma_rate_budget_remaining\{family="feed"\} 7$/m);
    expect(text).toMatch(/^magma_balance_lamports 5000000000$/m);
  });

  it('sends the daily summary as an alert', () => {
    const { ops, alerts } = setup();
    ops.daily({ day: '2026-05-01T00:00:00.000Z', ticks: 1440, backed: 3 });
    expect(alerts[0]).toMatchObject({ event: 'daily', title: 'daily summary for 2026-05-01', fields: { ticks: 1440, backed: 3 } });
  });

  it('counts x402 payments by state and the USD settled, from the payer\'s log events', async () => {
    const { ops, metrics } = setup();
    ops.observeLog('info', 'x402.payment', { state: 'settled', usd: 0.0025 });
    ops.observeLog('warn', 'x402.payment', { state: 'refused', usd: null });
    const text = await metrics.render();
    expect(text).toContain('magma_x402_payments_total{state="settled"} 1');
    expect(text).toContain('magma_x402_payments_total{state="refused"} 1');
    expect(text).toContain('magma_x402_paid_usd_total 0.0025');
  });
});
