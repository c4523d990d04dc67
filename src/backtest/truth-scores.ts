// Scores each strategy's forecasts, and the ensemble's, against the outcome and against the Bayes-optimal forecast
// at the same decision times (every poll at which the narrative was open for backing and the strategy gave an
// opinion). `bayesBrier` is the truth's own Brier score on exactly those narratives and times, so
// `bayesRatio` = brier / bayesBrier says how far a forecast is from the best possible one (1 is the limit).
// Sums per narrative and strategy are kept as the replay goes (no list of forecasts), and scored once the outcomes
// are known.
import type { OpinionRecord, Outcome } from '../ports/store.js';
import type { TruthAtPoll } from './truth-file.js';

export interface ForecastScore {
  /** Scored forecasts (narrative × poll). */
  n: number;
  narratives: number;
  brier: number;
  logLoss: number;
  bayesBrier: number;
  bayesLogLoss: number;
  /** brier / bayesBrier (≥ 1 on average; 1 is the best possible). */
  bayesRatio: number;
  /** The ensemble's Brier on exactly these forecasts (the same narratives and decision times), when it gave one. */
  ensembleBrier: number | null;
}

export interface TruthScores {
  /** Every category. */
  overall: Record<string, ForecastScore>;
  /** Price narratives (category MARKET) only. */
  price: Record<string, ForecastScore>;
  /** Polls with a truth line, and polls without one (a truth file from another recording, or cut short). */
  polls: number;
  pollsWithoutTruth: number;
  /** Forecasts of narratives the truth line did not mention (not scored). */
  forecastsWithoutTruth: number;
}

const EPS = 1e-6;
const clamp = (p: number) => (p < EPS ? EPS : p > 1 - EPS ? 1 - EPS : p);

/**
 * Per narrative and strategy: n, Σp, Σp², Σ−ln p, Σ−ln(1−p), then the same four for the truth, then the ensemble's
 * n, Σe, Σe² on the same forecasts.
 */
const FIELDS = 12;

export class TruthScorer {
  private truth: TruthAtPoll | null = null;
  private readonly sums = new Map<string, { price: boolean; byStrategy: Map<string, Float64Array> }>();
  private polls = 0;
  private pollsWithout = 0;
  private forecastsWithout = 0;

  /** The truth of the poll about to be replayed (null: the truth file has no line for it). */
  setPoll(truth: TruthAtPoll | null): void {
    this.truth = truth;
    if (truth) this.polls++;
    else this.pollsWithout++;
  }

  /** A narrative's opinions at this poll (called for every narrative the engine evaluated). */
  observe(narrativeId: string, category: string, records: readonly OpinionRecord[], oracleStatus: string | undefined): void {
    if (oracleStatus !== 'open' && oracleStatus !== 'live') return;
    const q = this.truth?.[narrativeId];
    if (q === undefined) {
      if (this.truth) this.forecastsWithout++;
      return;
    }
    let entry = this.sums.get(narrativeId);
    if (!entry) this.sums.set(narrativeId, (entry = { price: category === 'MARKET', byStrategy: new Map() }));
    const qc = clamp(q);
    const lq1 = -Math.log(qc);
    const lq0 = -Math.log(1 - qc);
    let e: number | null = null;
    for (const r of records) if (r.strategy === 'ensemble') e = r.pTrue;
    for (const r of records) {
      const p = r.pTrue;
      if (p === null) continue;
      let s = entry.byStrategy.get(r.strategy);
      if (!s) entry.byStrategy.set(r.strategy, (s = new Float64Array(FIELDS)));
      const pc = clamp(p);
      s[0]! += 1;
      s[1]! += p;
      s[2]! += p * p;
      s[3]! += -Math.log(pc);
      s[4]! += -Math.log(1 - pc);
      s[5]! += q;
      s[6]! += q * q;
      s[7]! += lq1;
      s[8]! += lq0;
      if (e !== null) {
        s[9]! += 1;
        s[10]! += e;
        s[11]! += e * e;
      }
    }
  }

  /** Scores against the outcomes (narratives without a TRUE or FALSE outcome are left out). */
  result(outcomeOf: (narrativeId: string) => Outcome | null): TruthScores {
    const overall = new Map<string, { t: Float64Array; narratives: number }>();
    const price = new Map<string, { t: Float64Array; narratives: number }>();
    // totals: n, Σ(p−o)², log loss, Σ(q−o)², truth log loss, the ensemble's n and Σ(e−o)² on the same forecasts
    const add = (into: Map<string, { t: Float64Array; narratives: number }>, strategy: string, s: Float64Array, o: 0 | 1) => {
      let acc = into.get(strategy);
      if (!acc) into.set(strategy, (acc = { t: new Float64Array(7), narratives: 0 }));
      acc.narratives++;
      acc.t[0]! += s[0]!;
      acc.t[1]! += s[2]! - 2 * o * s[1]! + o * s[0]!;
      acc.t[2]! += o ? s[3]! : s[4]!;
      acc.t[3]! += s[6]! - 2 * o * s[5]! + o * s[0]!;
      acc.t[4]! += o ? s[7]! : s[8]!;
      acc.t[5]! += s[9]!;
      acc.t[6]! += s[11]! - 2 * o * s[10]! + o * s[9]!;
    };
    for (const [id, entry] of this.sums) {
      const outcome = outcomeOf(id);
      if (outcome !== 'true' && outcome !== 'false') continue;
      const o = outcome === 'true' ? 1 : 0;
      for (const [strategy, s] of entry.byStrategy) {
        add(overall, strategy, s, o);
        if (entry.price) add(price, strategy, s, o);
      }
    }
    const score = (m: Map<string, { t: Float64Array; narratives: number }>) => Object.fromEntries([...m].map(([strategy, { t, narratives }]) => {
      const n = t[0]!;
      const brier = t[1]! / n;
      const bayesBrier = t[3]! / n;
      return [strategy, { n, narratives, brier, logLoss: t[2]! / n, bayesBrier, bayesLogLoss: t[4]! / n, bayesRatio: bayesBrier > 0 ? brier / bayesBrier : brier === 0 ? 1 : Infinity,
        ensembleBrier: t[5]! > 0 ? t[6]! / t[5]! : null }];
    })) as Record<string, ForecastScore>;
    return { overall: score(overall), price: score(price), polls: this.polls, pollsWithoutTruth: this.pollsWithout, forecastsWithoutTruth: this.forecastsWithout };
  }
}
