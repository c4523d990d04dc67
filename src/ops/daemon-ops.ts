// Everything an operator watches while the daemon runs, fed from the daemon loop's hooks, the transports' onCall
// and a tap on the logger: health (/healthz, watchdog), systemd notifications, Prometheus metrics and alerts.
// Nothing here touches the engine's internals or holds a tick: each hook records, then returns.
import type { Alert, Alerter } from '../alerts/alerter.js';
import { errorMessage, isMagmaError } from '../core/errors.js';
import { formatSol } from '../core/money.js';
import type { TickSummary } from '../engine/engine.js';
import { repeatEnded, type LogFields, type Logger, type LogLevel } from '../log/logger.js';
import type { AgentMetrics } from '../metrics/agent-metrics.js';
import type { ApiCallRecord, Ledger } from '../ports/store.js';
import type { ServiceNotifier } from '../systemd/service-notifier.js';
import type { Health } from './health.js';

export interface JournalView {
  inFlight: number;
  stuck: number;
  openPositions: number;
  exposure: bigint;
}

export interface DaemonOpsOptions {
  health: Health;
  metrics?: AgentMetrics | null;
  notifier?: ServiceNotifier | null;
  alerter?: Alerter | null;
  /** Clock milliseconds → wall milliseconds (1 / speed under the simulator). */
  wallPerClockMs?: number;
  /** Lamports kept in the wallet (risk.minBalanceSol): a balance at or below it is alerted. */
  reserveLamports: bigint;
  unreachableMs: number;
  /** Open backings, exposure and stuck count after a tick (one query per tick, not per scrape). */
  journal?: () => JournalView;
  paused?: () => string | null;
  /** The ledger the agent records in: it words the alerts (a dry run only would have backed). */
  ledger: Ledger;
  logger?: Logger;
  now?: () => number;
}

const LEDGER_WORDS: Record<Ledger, { backed: string; suffix: string }> = {
  live: { backed: 'backed', suffix: '' },
  'dry-run': { backed: 'would back', suffix: ' (dry run)' },
};

const API_FAMILIES = new Set(['feed', 'public', 'backing', 'register', 'agent']);

export class DaemonOps {
  private readonly now: () => number;
  private tickStartedAt = 0;
  private gateOpen: boolean | null = null;
  private balanceLow = false;
  private pausedReason: string | null | undefined;
  private readonly downSince = new Map<'api' | 'rpc', number>();
  private readonly downAlerted = new Set<'api' | 'rpc'>();

  constructor(private readonly o: DaemonOpsOptions) {
    this.now = o.now ?? Date.now;
  }

  setLogger(logger: Logger): void {
    this.o.logger = logger;
  }

  private alert(a: Alert): void {
    this.o.alerter?.emit(a);
  }

  /** Wraps the engine so each tick's wall duration is measured. */
  timed<T>(tick: (signal?: AbortSignal) => Promise<T>): (signal?: AbortSignal) => Promise<T> {
    return async (signal) => {
      this.tickStartedAt = this.now();
      return tick(signal);
    };
  }

  private seconds(): number {
    return Math.max(0, (this.now() - this.tickStartedAt) / 1000);
  }

  /**
   * Runs a hook's work so that nothing in it reaches the daemon loop: a failure here (a metric, an alert's wording)
   * is logged and the tick still counts as done.
   */
  private guarded(hook: string, work: () => void): void {
    try {
      work();
    } catch (err) {
      try {
        this.o.logger?.warn('ops.failed', { hook, msg: errorMessage(err) });
      } catch {
        // nothing more to do: the loop goes on
      }
    }
  }

  onTick(s: TickSummary): void {
    this.o.health.tickOk();
    this.guarded('onTick', () => this.afterTick(s));
  }

  private afterTick(s: TickSummary): void {
    this.o.metrics?.tickOk(s, this.seconds());
    const j = this.o.journal?.();
    if (j) this.o.metrics?.journal(j);
    const paused = this.o.paused?.() ?? null;
    this.o.metrics?.setPaused(paused !== null);
    if (this.pausedReason !== undefined && paused !== this.pausedReason) {
      this.alert({ event: 'pause', key: `pause:${paused ?? 'resumed'}:${this.now()}`, severity: 'info', title: paused ? 'paused: no new backings or verdicts' : 'resumed', fields: { reason: paused } });
    }
    this.pausedReason = paused;

    for (const d of s.backed) {
      this.alert({ event: 'backing', key: `backing:${s.tickId}:${d.narrativeId}`, severity: 'info', title: `${LEDGER_WORDS[this.o.ledger].backed} ${formatSol(d.stakeLamports)}`, fields: { narrative_id: d.narrativeId, p_true: d.pTrue, edge: d.edge } });
    }
    for (const r of s.resolved) {
      this.alert({ event: 'verdict', key: `verdict:${r.narrativeId}`, severity: 'info', title: `verdict ${r.resolution ? 'TRUE' : 'FALSE'}${LEDGER_WORDS[this.o.ledger].suffix}`, fields: { narrative_id: r.narrativeId, confidence: r.confidence } });
    }
    const open = s.gates.backing.open;
    if (this.gateOpen !== null && open !== this.gateOpen) {
      this.alert(open
        ? { event: 'gate', key: `gate:open:${this.now()}`, severity: 'info', title: 'backing gate open again' }
        : { event: 'gate', key: `gate:closed:${s.gates.backing.reason}`, severity: 'warning', title: 'backing gate closed', fields: { reason: s.gates.backing.reason } });
    }
    if (open && this.gateOpen === false) {
      // the halt (or pause) is over: the journal hears it, and the next gate.closed is a change, written at once
      const held = this.o.logger ? repeatEnded(this.o.logger, 'gate.closed') : 0;
      this.o.logger?.info('gate.open', { gate: 'backing', msg: 'the backing gate is open again', ...(held ? { held_back: held } : {}) });
    }
    this.gateOpen = open;
    const low = s.balance !== null && s.balance <= this.o.reserveLamports;
    if (low) {
      // an underfunded wallet backs nothing: say so (held back by the logger while it stays the same)
      this.o.logger?.warn('balance.low', { balance: formatSol(s.balance!), reserve: formatSol(this.o.reserveLamports), msg: 'the wallet balance is at or below risk.minBalanceSol: no new backings until it is funded' });
      this.alert({ event: 'balance', key: 'balance:low', severity: 'warning', title: `wallet balance ${formatSol(s.balance!)} is at or below the reserve (risk.minBalanceSol): no new backings until it is funded`, fields: { reserve: formatSol(this.o.reserveLamports) } });
    } else if (this.balanceLow && s.balance !== null) {
      const held = this.o.logger ? repeatEnded(this.o.logger, 'balance.low') : 0;
      this.o.logger?.info('balance.ok', { balance: formatSol(s.balance), msg: 'the wallet is above risk.minBalanceSol again', ...(held ? { held_back: held } : {}) });
    }
    if (s.balance !== null) this.balanceLow = low;
    if (j && j.stuck > 0) {
      this.alert({ event: 'stuck', key: `stuck:${j.stuck}`, severity: 'warning', title: `${j.stuck} backing(s) in flight for too long: see \`magma-agent portfolio\` and docs/executor.md` });
    }
    this.checkUnreachable();
    this.o.notifier?.tickOk(this.statusLine(s));
  }

  onTickFailed(err: unknown): void {
    const code = isMagmaError(err) ? err.code : 'UNEXPECTED';
    this.o.health.tickFailed(code);
    this.guarded('onTickFailed', () => {
      this.o.metrics?.tickFailed(this.seconds());
      this.checkUnreachable();
      this.o.notifier?.tickFailed(`tick failed (${code}); retrying${this.pausedReason ? '; paused' : ''}`);
    });
  }

  onIdle(waitMs: number): void {
    this.o.health.nextDueIn(waitMs * (this.o.wallPerClockMs ?? 1));
  }

  onCall(call: ApiCallRecord): void {
    this.guarded('onCall', () => this.recordCall(call));
  }

  private recordCall(call: ApiCallRecord): void {
    this.o.metrics?.apiCall(call);
    const kind = call.family === 'rpc' ? 'rpc' : API_FAMILIES.has(call.family) ? 'api' : null;
    if (!kind) return;
    const unanswered = call.status === null || call.status >= 500;
    if (!unanswered) {
      if (this.downAlerted.has(kind)) this.alert({ event: 'unreachable', key: `reachable:${kind}:${this.now()}`, severity: 'info', title: `${kind === 'rpc' ? 'Solana RPC' : 'MAGMA API'} answers again` });
      this.downSince.delete(kind);
      this.downAlerted.delete(kind);
    } else if (!this.downSince.has(kind)) {
      this.downSince.set(kind, this.now());
    }
  }

  private checkUnreachable(): void {
    for (const [kind, since] of this.downSince) {
      if (this.downAlerted.has(kind) || this.now() - since < this.o.unreachableMs) continue;
      this.downAlerted.add(kind);
      this.alert({ event: 'unreachable', key: `unreachable:${kind}:${since}`, severity: 'critical', title: `${kind === 'rpc' ? 'Solana RPC' : 'MAGMA API'} unreachable for ${Math.round((this.now() - since) / 60_000)} min` });
    }
  }

  /** Counts what the engine and executor log, for metrics (strategy errors, backing states). */
  observeLog(_level: LogLevel, event: string, fields: LogFields): void {
    if (event === 'strategy.failed') this.o.metrics?.strategyError(String(fields.strategy ?? 'unknown'));
    else if (event === 'decision.back') this.o.metrics?.backing(String(fields.state ?? 'unknown'));
    else if (event === 'x402.payment') this.o.metrics?.x402Payment(String(fields.state ?? 'unknown'), Number(fields.usd ?? 0) || 0);
  }

  daily(summary: Record<string, string | number | boolean | null>): void {
    this.alert({ event: 'daily', key: `daily:${String(summary.day)}`, severity: 'info', title: `daily summary for ${String(summary.day).slice(0, 10)}`, fields: summary });
  }

  fatal(err: unknown): void {
    this.alert({ event: 'fatal', key: `fatal:${this.now()}`, severity: 'critical', title: 'stopped: needs an operator', fields: { code: isMagmaError(err) ? err.code : 'UNEXPECTED', error: errorMessage(err).slice(0, 500) } });
  }

  private statusLine(s: TickSummary): string {
    const gate = s.gates.backing.open ? 'backing open' : `backing closed: ${s.gates.backing.reason ?? ''}`;
    return `tick ${s.tickId} ok: ${s.feedCount} narratives, ${s.backed.length} backed; ${gate}${LEDGER_WORDS[this.o.ledger].suffix}`;
  }
}
