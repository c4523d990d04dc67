// Dry-run executor: records the backing it would have placed (and the verdict it would have submitted) in the same journal as live, as state 'simulated',
// and sends nothing. Its rows feed the virtual portfolio that limits later dry-run decisions.
import type { Clock } from '../ports/clock.js';
import { isoNow } from '../ports/clock.js';
import type { ExecutionRequest, ExecutionResult, Executor, ResolutionRequest, ResolutionResult } from '../ports/executor.js';
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

  async submitResolution(req: ResolutionRequest): Promise<ResolutionResult> {
    const d = req.decision;
    const resolutionId = this.store.insertResolutionIntent({
      narrativeId: req.narrative.id, resolution: d.resolution!, confidence: d.confidence!, evidence: d.evidence,
      state: 'simulated', dryRun: true, at: isoNow(this.clock),
    });
    return { resolutionId: resolutionId ?? 0, state: resolutionId === null ? 'already-journaled' : 'simulated' };
  }
}
