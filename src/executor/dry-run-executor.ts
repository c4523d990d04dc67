// Dry-run (and backtest) executor: records the backing it would have placed, and the verdict it would have
// submitted, through the same journal and state machine as live (intent → simulated), under the same executor-side
// risk limits, and sends nothing. Its rows feed the virtual portfolio that limits later dry-run decisions.
import type { ResolutionPolicy } from '../core/decide-resolution.js';
import type { RiskLimits } from '../core/risk.js';
import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import type { Clock } from '../ports/clock.js';
import { isoNow, startOfUtcDay } from '../ports/clock.js';
import type { ExecutionRequest, ExecutionResult, Executor, ResolutionRequest, ResolutionResult } from '../ports/executor.js';
import type { Journal } from '../ports/journal.js';
import { SqliteJournal } from '../store/sqlite-journal.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { ResolutionFlow } from './resolution-flow.js';
import { riskRefusal } from './risk-guard.js';

export interface DryRunExecutorOptions {
  journal: Journal;
  clock: Clock;
  /** The executor-side risk limits; without them only the engine's limits apply (backtests replaying a tape). */
  limits?: RiskLimits;
  resolution?: ResolutionPolicy;
  maxPerMinute?: number;
  logger?: Logger;
  holds?: (narrativeId: string) => boolean;
}

/** The engine has already applied the policy when a verdict reaches a dry-run executor that was given none. */
const ENGINE_POLICY: ResolutionPolicy = { enabled: true, minConfidence: 0.7, allowOwnPositions: true };

export class DryRunExecutor implements Executor {
  readonly dryRun = true;
  private readonly o: DryRunExecutorOptions;
  private readonly resolutions: ResolutionFlow;

  /** `new DryRunExecutor(store, clock)` (the journal on that store, the engine's limits only) or full options. */
  constructor(options: DryRunExecutorOptions | SqliteStore, clock?: Clock) {
    const o: DryRunExecutorOptions = options instanceof SqliteStore ? { journal: new SqliteJournal(options), clock: clock! } : options;
    this.o = o;
    this.resolutions = new ResolutionFlow({
      journal: o.journal, clock: o.clock, logger: o.logger ?? silentLogger(), policy: o.resolution ?? ENGINE_POLICY, dryRun: true, ...(o.holds ? { holds: o.holds } : {}),
    });
  }

  async execute(req: ExecutionRequest): Promise<ExecutionResult> {
    const { journal, clock } = this.o;
    const nowMs = clock.now();
    let row = journal.openBacking(
      { intentKey: `dry:${req.decisionId}:${req.narrative.id}`, decisionId: req.decisionId, narrativeId: req.narrative.id, category: req.narrative.category, stakeLamports: req.decision.stakeLamports, dryRun: true, wallet: null },
      { now: isoNow(clock), dayStart: startOfUtcDay(nowMs), since: new Date(nowMs - 60_000).toISOString() },
      (view) => (this.o.limits
        ? riskRefusal({ narrativeId: req.narrative.id, category: req.narrative.category, stakeLamports: req.decision.stakeLamports }, view, this.o.limits, this.o.maxPerMinute ?? 10)
        : null),
    );
    if (row.state === 'cancelled') this.o.logger?.warn('backing.refused', { narrative_id: row.narrativeId, amount_lamports: row.stakeLamports, reason: row.error, dry_run: true, msg: `not backing: ${row.error}` });
    if (row.state === 'intent') row = journal.transition(row, 'simulated', isoNow(clock), { note: 'dry run: nothing sent' });
    return { backingId: row.id, state: row.state };
  }

  submitResolution(req: ResolutionRequest): Promise<ResolutionResult> {
    return this.resolutions.submit(req);
  }
}
