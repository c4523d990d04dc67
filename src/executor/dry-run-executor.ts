// Dry-run (and backtest) executor: records the backing it would have placed, and the verdict it would have
// submitted, through the same journal and state machine as live (intent → simulated), under the same executor-side
// risk limits, and sends nothing. Its rows feed the virtual portfolio that limits later dry-run decisions.
import type { ResolutionPolicy } from '../core/decide-resolution.js';
import type { RiskLimits } from '../core/risk.js';
import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import type { Clock } from '../ports/clock.js';
import { isoNow } from '../ports/clock.js';
import type { ExecutionRequest, ExecutionResult, Executor, ResolutionRequest, ResolutionResult } from '../ports/executor.js';
import type { Journal } from '../ports/journal.js';
import { ResolutionFlow } from './resolution-flow.js';
import { guardWindows, riskRefusal } from './risk-guard.js';

export interface DryRunExecutorOptions {
  journal: Journal;
  clock: Clock;
  /** The executor-side guards every mode shares (src/app/compose-engine.ts). */
  limits: RiskLimits;
  resolution: ResolutionPolicy;
  maxPerMinute: number;
  logger?: Logger;
  holds?: (narrativeId: string) => boolean;
}

export class DryRunExecutor implements Executor {
  private readonly o: DryRunExecutorOptions;
  private readonly resolutions: ResolutionFlow;

  constructor(o: DryRunExecutorOptions) {
    this.o = o;
    this.resolutions = new ResolutionFlow({
      journal: o.journal, clock: o.clock, logger: o.logger ?? silentLogger(), policy: o.resolution, sending: null, ...(o.holds ? { holds: o.holds } : {}),
    });
  }

  async execute(req: ExecutionRequest): Promise<ExecutionResult> {
    const { journal, clock } = this.o;
    let row = journal.openBacking(
      { intentKey: `dry:${req.decisionId}:${req.narrative.id}`, decisionId: req.decisionId, narrativeId: req.narrative.id, category: req.narrative.category, stakeLamports: req.decision.stakeLamports, wallet: null },
      guardWindows(clock.now()),
      (view) => riskRefusal({ narrativeId: req.narrative.id, category: req.narrative.category, stakeLamports: req.decision.stakeLamports }, view, this.o.limits, this.o.maxPerMinute),
    );
    if (row.state === 'cancelled') this.o.logger?.warn('backing.refused', { narrative_id: row.narrativeId, amount_lamports: row.stakeLamports, reason: row.error, dry_run: true, msg: `not backing: ${row.error}` });
    if (row.state === 'intent') row = journal.transition(row, 'simulated', isoNow(clock), { note: 'dry run: nothing sent' });
    return { backingId: row.id, state: row.state };
  }

  submitResolution(req: ResolutionRequest): Promise<ResolutionResult> {
    return this.resolutions.submit(req);
  }
}
