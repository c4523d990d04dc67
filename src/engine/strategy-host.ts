// Runs strategies for one narrative. A strategy that throws, hangs past its timeout or returns garbage is isolated:
// its failure is recorded and the tick goes on with the others. (A strategy stuck in a synchronous loop cannot be
// interrupted inside this process; the timeout covers everything asynchronous.)
import { poolOpinions, type EnsembleForecast, type WeightedOpinion } from '../core/ensemble.js';
import type { Narrative } from '../core/narrative.js';
import { opinionProblem, type Opinion, type StrategyContext } from '../core/strategy.js';
import type { OpinionRecord } from '../ports/store.js';
import type { LoadedStrategy } from './load-strategies.js';

export interface Evaluation {
  records: OpinionRecord[];
  forecast: EnsembleForecast | null;
}

type Outcome = { ok: true; opinion: Opinion | null } | { ok: false; error: string };

function withTimeout(run: (signal: AbortSignal) => unknown, ms: number, outer?: AbortSignal): Promise<Outcome> {
  return new Promise((resolve) => {
    // The strategy's own signal: aborted at its timeout or when the agent shuts down, so a slow source call stops too.
    const own = new AbortController();
    const finish = (outcome: Outcome) => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
      own.abort();
      resolve(outcome);
    };
    const onAbort = () => finish({ ok: false, error: 'stopped: the agent is shutting down' });
    const timer = setTimeout(() => finish({ ok: false, error: `timed out after ${ms} ms` }), ms);
    if (outer?.aborted) return onAbort();
    outer?.addEventListener('abort', onAbort, { once: true });
    Promise.resolve()
      .then(() => run(own.signal))
      .then(
        (value) => {
          const problem = opinionProblem(value);
          finish(problem ? { ok: false, error: `invalid opinion: ${problem}` } : { ok: true, opinion: (value as Opinion | null) ?? null });
        },
        (err: unknown) => finish({ ok: false, error: `threw: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500) }),
      );
  });
}

export class StrategyHost {
  constructor(readonly strategies: readonly LoadedStrategy[]) {}

  async evaluate(narrative: Narrative, ctx: Omit<StrategyContext, 'options' | 'signal'>, signal?: AbortSignal): Promise<Evaluation> {
    const frozen = Object.freeze({ ...narrative });
    const results = await Promise.all(
      this.strategies.map(async (s) => {
        const started = performance.now();
        const outcome = await withTimeout((own) => s.strategy.evaluate(frozen, { ...ctx, options: s.options, signal: own }), s.timeoutMs, signal);
        return { s, outcome, durationMs: Math.round((performance.now() - started) * 100) / 100 };
      }),
    );
    const records: OpinionRecord[] = [];
    const weighted: WeightedOpinion[] = [];
    for (const { s, outcome, durationMs } of results) {
      if (!outcome.ok) {
        records.push({ strategy: s.strategy.name, pTrue: null, confidence: null, error: outcome.error, durationMs });
        continue;
      }
      const o = outcome.opinion;
      records.push({ strategy: s.strategy.name, pTrue: o?.pTrue ?? null, confidence: o?.confidence ?? null, rationale: o?.rationale?.slice(0, 1000), verdict: o?.verdict, durationMs });
      if (o) weighted.push({ strategy: s.strategy.name, weight: s.weight, opinion: o });
    }
    const forecast = poolOpinions(weighted);
    if (forecast) records.push({ strategy: 'ensemble', pTrue: forecast.pTrue, confidence: forecast.confidence, durationMs: 0 });
    return { records, forecast };
  }
}
