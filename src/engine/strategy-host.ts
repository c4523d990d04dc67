// Runs the configured strategies over a tick's narratives and pools their opinions. Each strategy runs through a
// runner (src/engine/strategy-runner.ts) that isolates it: a strategy that throws, hangs past its timeout or returns
// garbage is recorded as a failed opinion and the tick goes on with the others.
import { poolOpinions, type EnsembleForecast, type WeightedOpinion } from '../core/ensemble.js';
import type { Narrative } from '../core/narrative.js';
import type { StrategyContext } from '../core/strategy.js';
import type { OpinionRecord } from '../ports/store.js';
import type { LoadedStrategy } from './load-strategies.js';
import { WorkerRunner } from './worker-runner.js';
import { InProcessRunner, type EvalItem, type RunContext, type StrategyOutcome, type StrategyRunner } from './strategy-runner.js';

export interface Evaluation {
  records: OpinionRecord[];
  forecast: EnsembleForecast | null;
}

/** The runner for a loaded strategy: a plug-in (loaded by path) runs in its own worker thread, a built-in in this one. */
export function runnerFor(s: LoadedStrategy): StrategyRunner {
  if (s.plugin) {
    return new WorkerRunner({ name: s.strategy.name, path: s.plugin.path, weight: s.weight, timeoutMs: s.timeoutMs, memoryMb: s.plugin.memoryMb, options: s.options });
  }
  return new InProcessRunner(s.strategy, s.weight, s.timeoutMs, s.options);
}

export class StrategyHost {
  readonly runners: readonly StrategyRunner[];

  constructor(strategies: readonly (LoadedStrategy | StrategyRunner)[]) {
    this.runners = strategies.map((s) => ('evaluateAll' in s ? s : runnerFor(s)));
  }

  get names(): string[] {
    return this.runners.map((r) => r.name);
  }

  /** Every strategy over every item (strategies side by side, each over the whole tick); one evaluation per item. */
  async evaluateAll(items: readonly EvalItem[], ctx: RunContext, signal?: AbortSignal): Promise<Evaluation[]> {
    const byRunner: StrategyOutcome[][] = await Promise.all(this.runners.map((r) => r.evaluateAll(items, ctx, signal)));
    return items.map((_, i) => this.pool(byRunner.map((outcomes) => outcomes[i]!)));
  }

  /** One narrative (tests, tools): the same path as a tick of one. */
  async evaluate(narrative: Narrative, ctx: Pick<StrategyContext, 'history' | 'clock' | 'sources'>, signal?: AbortSignal): Promise<Evaluation> {
    const [evaluation] = await this.evaluateAll([{ narrative: Object.freeze({ ...narrative }), history: ctx.history }], { nowMs: ctx.clock.now(), sources: ctx.sources }, signal);
    return evaluation!;
  }

  /** Ends what the runners hold (plug-in threads). The host can still evaluate afterwards: a thread restarts on demand. */
  async close(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.close?.()));
  }

  private pool(outcomes: readonly StrategyOutcome[]): Evaluation {
    const records: OpinionRecord[] = [];
    const weighted: WeightedOpinion[] = [];
    for (let k = 0; k < outcomes.length; k++) {
      const runner = this.runners[k]!;
      const outcome = outcomes[k]!;
      if (!outcome.ok) {
        records.push({ strategy: runner.name, pTrue: null, confidence: null, error: outcome.error, durationMs: outcome.durationMs });
        continue;
      }
      const o = outcome.opinion;
      records.push({ strategy: runner.name, pTrue: o?.pTrue ?? null, confidence: o?.confidence ?? null, rationale: o?.rationale, verdict: o?.verdict, durationMs: outcome.durationMs });
      if (o) weighted.push({ strategy: runner.name, weight: runner.weight, opinion: o });
    }
    const forecast = poolOpinions(weighted);
    if (forecast) records.push({ strategy: 'ensemble', pTrue: forecast.pTrue, confidence: forecast.confidence, durationMs: 0 });
    return { records, forecast };
  }
}
