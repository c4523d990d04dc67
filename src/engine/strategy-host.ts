// Runs the configured strategies over a tick's narratives and pools their opinions. Each strategy runs through a
// runner (src/engine/strategy-runner.ts) that isolates it: a strategy that throws, hangs past its timeout or returns
// garbage is recorded as a failed opinion and the tick goes on with the others. With an ensemble memory the pool
// learns from settled outcomes (src/engine/ensemble-learner.ts); without one it is the configured pool.
import { poolOpinions, type EnsembleForecast, type WeightedOpinion } from '../core/ensemble.js';
import type { Narrative } from '../core/narrative.js';
import type { Opinion, StrategyContext } from '../core/strategy.js';
import type { EnsembleMemory } from '../ports/ensemble-memory.js';
import type { OpinionRecord, Outcome } from '../ports/store.js';
import { EnsembleLearner } from './ensemble-learner.js';
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
  /** The learning ensemble (issue 17), when the host was given a memory to keep what it learns in. */
  readonly learner: EnsembleLearner | null;
  /** One narrative's opinions for the learned pool, reused (no allocation per narrative). */
  private readonly scratchP: Array<number | null>;
  private readonly scratchConf: Array<number | null>;

  constructor(strategies: readonly (LoadedStrategy | StrategyRunner)[], memory?: EnsembleMemory | null) {
    this.runners = strategies.map((s) => ('evaluateAll' in s ? s : runnerFor(s)));
    this.learner = memory ? new EnsembleLearner(this.runners.map((r) => r.name), this.runners.map((r) => r.weight), memory) : null;
    this.scratchP = new Array<number | null>(this.runners.length).fill(null);
    this.scratchConf = new Array<number | null>(this.runners.length).fill(null);
  }

  /** Outcomes recorded this tick teach the ensemble: `settled` for each, then `learn` once. */
  settled(narrativeId: string, outcome: Outcome): void {
    this.learner?.settle(narrativeId, outcome);
  }

  learn(at: string): void {
    this.learner?.refit(at);
  }

  get names(): string[] {
    return this.runners.map((r) => r.name);
  }

  /** Every strategy over every item (strategies side by side, each over the whole tick); one evaluation per item. */
  async evaluateAll(items: readonly EvalItem[], ctx: RunContext, signal?: AbortSignal): Promise<Evaluation[]> {
    const byRunner: StrategyOutcome[][] = await Promise.all(this.runners.map((r) => r.evaluateAll(items, ctx, signal)));
    const out: Evaluation[] = new Array(items.length);
    if (this.learner) {
      this.learner.model.newTick();
      for (let i = 0; i < items.length; i++) this.showSharpness(byRunner, i, items[i]!.narrative, ctx.nowMs);
    }
    for (let i = 0; i < items.length; i++) out[i] = this.pool(byRunner, i, items[i]!.narrative, ctx.nowMs);
    return out;
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

  /** Shows the learner item `i`'s opinions before any is pooled (it measures how sharp each strategy is). */
  private showSharpness(byRunner: readonly (readonly StrategyOutcome[])[], i: number, narrative: Readonly<Narrative>, nowMs: number): void {
    const p = this.scratchP;
    const conf = this.scratchConf;
    for (let k = 0; k < byRunner.length; k++) {
      const outcome = byRunner[k]![i]!;
      const o = outcome.ok ? outcome.opinion : null;
      p[k] = o ? o.pTrue : null;
      conf[k] = o ? o.confidence : null;
    }
    this.learner!.noteSharpness(narrative, nowMs, p, conf);
  }

  /** Pools item `i`'s outcomes (`byRunner[k][i]`: runner k's). */
  private pool(byRunner: readonly (readonly StrategyOutcome[])[], i: number, narrative: Readonly<Narrative>, nowMs: number): Evaluation {
    const records: OpinionRecord[] = new Array(byRunner.length + 1); // exact: `[]` would grow to 17 slots at the first push
    let n = 0;
    const weighted: WeightedOpinion[] | null = this.learner ? null : [];
    const p = this.scratchP;
    const conf = this.scratchConf;
    for (let k = 0; k < byRunner.length; k++) {
      const runner = this.runners[k]!;
      const outcome = byRunner[k]![i]!;
      p[k] = null;
      conf[k] = null;
      if (!outcome.ok) {
        records[n++] = { strategy: runner.name, pTrue: null, confidence: null, error: outcome.error, durationMs: outcome.durationMs };
        continue;
      }
      const o = outcome.opinion;
      // A runner in this thread hands over its copy already in the record's shape: kept as the record itself.
      const own = o as (OpinionRecord & Opinion) | null;
      if (own?.strategy === runner.name) {
        own.durationMs = outcome.durationMs;
        records[n++] = own;
      } else records[n++] = { strategy: runner.name, pTrue: o?.pTrue ?? null, confidence: o?.confidence ?? null, rationale: o?.rationale, verdict: o?.verdict, durationMs: outcome.durationMs };
      if (!o) continue;
      if (this.learner) {
        p[k] = o.pTrue;
        conf[k] = o.confidence;
      } else weighted!.push({ strategy: runner.name, weight: runner.weight, opinion: o });
    }
    let forecast: EnsembleForecast | null;
    if (this.learner) {
      forecast = this.learner.model.pool(narrative.category, p, conf);
      this.learner.observe(narrative, nowMs, p, conf);
    } else forecast = poolOpinions(weighted!);
    if (forecast) records[n++] = { strategy: 'ensemble', pTrue: forecast.pTrue, confidence: forecast.confidence, durationMs: 0 };
    records.length = n;
    return { records, forecast };
  }
}
