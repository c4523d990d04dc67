// The daemon's Prometheus metrics (prom-client), kept in process: fed from the daemon loop (each tick's summary and
// duration), the HTTP transports' onCall hook (API calls, rate budget left per family) and a few logger events
// (strategy errors, backing states). Nothing here scans the database on a scrape; counters start at zero with the
// process, as Prometheus expects. Wall time only: simulated time never reaches a timestamp here.
import client from 'prom-client';
import type { TickSummary } from '../engine/engine.js';
import type { ApiCallRecord, Ledger } from '../ports/store.js';

export interface AgentMetricsOptions {
  version: string;
  /** The ledger the agent records in (the info metric's dry_run label). */
  ledger: Ledger;
  sim: boolean;
  /** Default process metrics (CPU, memory, handles, event-loop lag); off in unit tests that make many registries. */
  processMetrics?: boolean;
  now?: () => number;
}

export class AgentMetrics {
  readonly registry = new client.Registry();
  private readonly now: () => number;
  readonly tickDuration: client.Histogram;
  private readonly ticks: client.Counter;
  private readonly feedItems: client.Counter;
  private readonly rejected: client.Counter;
  private readonly decisions: client.Counter;
  private readonly backings: client.Counter;
  private readonly inFlight: client.Gauge;
  private readonly stuck: client.Gauge;
  private readonly exposure: client.Gauge;
  private readonly openPositions: client.Gauge;
  private readonly balance: client.Gauge;
  private readonly gate: client.Gauge;
  private readonly paused: client.Gauge;
  private readonly budget: client.Gauge;
  private readonly apiCalls: client.Counter;
  private readonly strategyErrors: client.Counter;
  private readonly settledPnl: client.Counter;
  private readonly lastOk: client.Gauge;
  private readonly x402Payments: client.Counter;
  private readonly x402PaidUsd: client.Counter;

  constructor(o: AgentMetricsOptions) {
    this.now = o.now ?? Date.now;
    const r = [this.registry];
    if (o.processMetrics !== false) client.collectDefaultMetrics({ register: this.registry });
    new client.Gauge({ name: 'magma_build_info', help: 'Build and mode of this agent (always 1).', labelNames: ['version', 'node', 'dry_run', 'sim'], registers: r })
      .set({ version: o.version, node: process.version, dry_run: String(o.ledger === 'dry-run'), sim: String(o.sim) }, 1);
    this.tickDuration = new client.Histogram({
      name: 'magma_tick_duration_seconds', help: 'Wall time of a tick, by final status.', labelNames: ['status'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300], registers: r,
    });
    this.ticks = new client.Counter({ name: 'magma_ticks_total', help: 'Ticks by final status.', labelNames: ['status'], registers: r });
    this.feedItems = new client.Counter({ name: 'magma_feed_items_total', help: 'Feed items accepted.', registers: r });
    this.rejected = new client.Counter({ name: 'magma_feed_items_rejected_total', help: 'Feed items dropped as malformed.', registers: r });
    this.decisions = new client.Counter({ name: 'magma_decisions_total', help: 'Decisions by kind and action.', labelNames: ['kind', 'action'], registers: r });
    this.backings = new client.Counter({ name: 'magma_backings_total', help: 'Backings executed, by the state the tick left them in.', labelNames: ['state'], registers: r });
    this.inFlight = new client.Gauge({ name: 'magma_backings_in_flight', help: 'Backings not yet in a final state.', registers: r });
    this.stuck = new client.Gauge({ name: 'magma_backings_stuck', help: 'Backings in flight for longer than the stuck threshold.', registers: r });
    this.exposure = new client.Gauge({ name: 'magma_exposure_lamports', help: 'Lamports at stake in open backings.', registers: r });
    this.openPositions = new client.Gauge({ name: 'magma_open_positions', help: 'Backings not yet settled.', registers: r });
    this.balance = new client.Gauge({ name: 'magma_balance_lamports', help: 'Wallet balance read by the last tick that could read it.', registers: r });
    this.gate = new client.Gauge({ name: 'magma_gate_open', help: 'Whether a gate was open at the last tick (1) or closed (0).', labelNames: ['gate'], registers: r });
    this.paused = new client.Gauge({ name: 'magma_paused', help: 'Paused by the operator (magma-agent pause): 1, else 0.', registers: r });
    this.budget = new client.Gauge({ name: 'magma_rate_budget_remaining', help: 'The client-side rate budget left per limit family after its last call.', labelNames: ['family'], registers: r });
    this.apiCalls = new client.Counter({ name: 'magma_api_calls_total', help: 'HTTP calls by limit family and status (0 = no answer).', labelNames: ['family', 'status'], registers: r });
    this.strategyErrors = new client.Counter({ name: 'magma_strategy_errors_total', help: 'Strategy evaluations that threw, timed out or returned garbage.', labelNames: ['strategy'], registers: r });
    this.settledPnl = new client.Counter({ name: 'magma_settled_positions_total', help: 'Positions settled, by outcome sign of their P&L.', labelNames: ['result'], registers: r });
    this.lastOk = new client.Gauge({ name: 'magma_last_successful_tick_timestamp_seconds', help: 'Wall time at which the last successful tick ended (Unix seconds).', registers: r });
    this.x402Payments = new client.Counter({ name: 'magma_x402_payments_total', help: 'x402 payments by final state (settled, failed, refused; unanswered: signed and sent, no answer came).', labelNames: ['state'], registers: r });
    this.x402PaidUsd = new client.Counter({ name: 'magma_x402_paid_usd_total', help: 'USD paid through x402 (settled payments).', registers: r });
    this.paused.set(0);
  }

  tickOk(summary: TickSummary, seconds: number): void {
    this.tickDuration.observe({ status: 'ok' }, seconds);
    this.ticks.inc({ status: 'ok' });
    this.feedItems.inc(summary.feedCount);
    this.rejected.inc(summary.dropped);
    this.decisions.inc({ kind: 'back', action: 'back' }, summary.backed.length);
    this.decisions.inc({ kind: 'back', action: 'skip' }, summary.skipped);
    if (summary.resolved.length) this.decisions.inc({ kind: 'resolve', action: 'resolve' }, summary.resolved.length);
    if (summary.balance !== null) this.balance.set(Number(summary.balance));
    this.gate.set({ gate: 'backing' }, summary.gates.backing.open ? 1 : 0);
    this.gate.set({ gate: 'resolution' }, summary.gates.resolution.open ? 1 : 0);
    for (const s of summary.settled) this.settledPnl.inc({ result: s.pnlLamports > 0n ? 'profit' : s.pnlLamports < 0n ? 'loss' : 'even' });
    this.lastOk.set(Math.floor(this.now() / 1000));
  }

  tickFailed(seconds: number, status: 'failed' | 'aborted' = 'failed'): void {
    this.tickDuration.observe({ status }, seconds);
    this.ticks.inc({ status });
  }

  apiCall(call: ApiCallRecord): void {
    this.apiCalls.inc({ family: call.family, status: String(call.status ?? 0) });
    if (call.budgetRemaining !== undefined && call.budgetRemaining !== null) this.budget.set({ family: call.family }, call.budgetRemaining);
  }

  /**
   * Every strategy's error counter (and the tick counters) at 0 from the start: a labelled series appears only once
   * set, and a scrape of a healthy agent then had no magma_strategy_errors_total at all (nothing for rate() or an alert).
   */
  knowStrategies(names: readonly string[]): void {
    for (const strategy of names) this.strategyErrors.inc({ strategy }, 0);
    for (const status of ['ok', 'failed']) this.ticks.inc({ status }, 0);
  }

  strategyError(strategy: string): void {
    this.strategyErrors.inc({ strategy });
  }

  backing(state: string): void {
    this.backings.inc({ state });
  }

  journal(p: { inFlight: number; stuck: number; openPositions: number; exposure: bigint }): void {
    this.inFlight.set(p.inFlight);
    this.stuck.set(p.stuck);
    this.openPositions.set(p.openPositions);
    this.exposure.set(Number(p.exposure));
  }

  x402Payment(state: string, usd: number): void {
    this.x402Payments.inc({ state });
    if (state === 'settled' && usd > 0) this.x402PaidUsd.inc(usd);
  }

  setPaused(paused: boolean): void {
    this.paused.set(paused ? 1 : 0);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
