// What the daemon's operations layer turns ticks and calls into: alerts for unreachable APIs after N minutes,
// a balance at the reserve, stuck backings, gates closing and opening, the daily summary; metrics kept in process.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Alert, Alerter } from '../../../src/alerts/alerter.js';
import type { TickSummary } from '../../../src/engine/engine.js';
import { createLogger } from '../../../src/log/logger.js';
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

  it('alerts on a verdict, on the RPC staying unanswered, and on a pause and its end', () => {
    let paused: string | null = null;
    let now = 0;
    const alerts: Alert[] = [];
    const ops = new DaemonOps({
      health: new Health({ graceMs: 1000, now: () => now }), alerter: { emit: (a: Alert) => alerts.push(a) } as unknown as Alerter,
      reserveLamports: 0n, unreachableMs: 10 * 60_000, ledger: 'dry-run', paused: () => paused, now: () => now,
    });
    ops.onTick(summary());
    ops.onTick(summary({ resolved: [{ narrativeId: 'n7', action: 'resolve', resolution: true, confidence: 0.97, evidence: '', reasons: [] }] }));
    ops.onCall(call('rpc', null));
    now += 11 * 60_000;
    ops.onTickFailed(new Error('rpc down'));
    ops.onCall(call('rpc', 200));
    paused = 'paused by the operator since 2026-05-01T00:00:00.000Z (maintenance): `magma-agent resume` lifts it';
    ops.onTick(summary());
    paused = null;
    now += 1;
    ops.onTick(summary());
    expect(alerts.map((a) => `${a.event}: ${a.title}`)).toEqual([
      'verdict: verdict TRUE (dry run)',
      'unreachable: Solana RPC unreachable for 11 min',
      'unreachable: Solana RPC answers again',
      'pause: paused: no new backings or verdicts',
      'pause: resumed',
    ]);
    expect(alerts[0]!.fields).toMatchObject({ narrative_id: 'n7', confidence: 0.97 });
    expect(alerts[3]!.fields).toMatchObject({ reason: expect.stringContaining('maintenance') });
  });

  it('warns of an underfunded wallet once per interval and says when it is funded again; a halt that ends and returns is logged again at once', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    let now = 0;
    const logger = createLogger({ format: 'json', stream, now: () => now, repeatIntervalMs: 60 * 60_000 });
    const ops = new DaemonOps({ health: new Health({ graceMs: 1000, now: () => now }), reserveLamports: 50_000_000n, unreachableMs: 60_000, ledger: 'live', logger, now: () => now });
    const halted = { backing: { open: false, reason: 'protocol halted: all' }, resolution: { open: false, reason: 'protocol halted: all' } };
    for (let i = 0; i < 5; i++) {
      logger.warn('gate.closed', { gate: 'backing', reason: 'protocol halted: all' }); // what the engine logs each tick
      ops.onTick(summary({ balance: 10_000_000n, gates: halted }));
      now += 60_000;
    }
    ops.onTick(summary()); // funded, gate open
    logger.warn('gate.closed', { gate: 'backing', reason: 'protocol halted: all' }); // the halt again, minutes later
    ops.onTick(summary({ gates: halted }));
    await new Promise((r) => setImmediate(r));
    const lines = chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const events = lines.map((l) => l.message);
    expect(events).toEqual(['gate.closed', 'balance.low', 'gate.open', 'balance.ok', 'gate.closed']);
    expect(lines[1]).toMatchObject({ level: 'warn', balance: expect.stringMatching(/^0\.01/), msg: expect.stringMatching(/no new backings until it is funded/) });
    expect(lines[2]).toMatchObject({ level: 'info', held_back: 4 });
    expect(lines[3]).toMatchObject({ level: 'info', held_back: 4 });
  });

  it('never lets a failure of its own reach the daemon loop', () => {
    const logged: string[] = [];
    const logger = { warn: (e: string, f: Record<string, unknown>) => logged.push(`${e}:${String(f.hook)}`), info: () => {}, error: () => {}, debug: () => {} } as never;
    const broken = { tickOk: () => { throw new Error('metric broke'); }, tickFailed: () => { throw new Error('metric broke'); }, apiCall: () => { throw new Error('metric broke'); } } as unknown as AgentMetrics;
    const health = new Health({ graceMs: 1000 });
    const ops = new DaemonOps({ health, metrics: broken, reserveLamports: 0n, unreachableMs: 60_000, ledger: 'live', logger });
    expect(() => ops.onTick(summary())).not.toThrow();
    expect(() => ops.onTickFailed(new Error('x'))).not.toThrow();
    expect(() => ops.onCall(call('feed', 200))).not.toThrow();
    expect(logged).toEqual(['ops.failed:onTick', 'ops.failed:onTickFailed', 'ops.failed:onCall']);
    expect(health.snapshot().consecutive_failures).toBe(1); // health is still told
  });
});
