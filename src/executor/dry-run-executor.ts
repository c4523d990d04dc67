// Dry-run executor: records the backing it would have placed in the same journal as live, as state 'simulated',
// and sends nothing. Its rows feed the virtual portfolio that limits later dry-run decisions.
import type { Clock } from '../ports/clock.js';
import { isoNow } from '../ports/clock.js';
import type { ExecutionRequest, ExecutionResult, Executor } from '../ports/executor.js';
import type { Store } from '../ports/store.js';

export class DryRunExecutor implements Executor {
  readonly dryRun = true;

  constructor(private readonly store: Store, private readonly clock: Clock) {}

  async execute(req: ExecutionRequest): Promise<ExecutionResult> {
    const backingId = this.store.insertBackingIntent({
      intentKey: `dry:${req.decisionId}:${req.narrative.id}`,
      decisionId: req.decisionId,
      narrativeId: req.narrative.id,
      category: req.narrative.category,
      stakeLamports: req.decision.stakeLamports,
      state: 'simulated',
      dryRun: true,
      at: isoNow(this.clock),
    });
    return { backingId, state: 'simulated' };
  }
}
