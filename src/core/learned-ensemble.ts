// The ensemble that learns from settled outcomes. Each strategy's probability is first calibrated (Platt: a + b·logit p,
// per category), then the calibrated log-odds are pooled with weights (confidence × configured weight × a learned
// weight, normalised over the strategies that spoke) and a learned scale:
//   logit P = scale · Σ αₖ cₖ / Σ αₖ,  cₖ = aₖ + bₖ·logit pₖ,  αₖ = confidenceₖ · configuredₖ · exp(uₖ).
// Every parameter is fitted by penalised maximum likelihood (Newton steps) on settled forecasts, shrunk toward a
// prior: the all-categories fit for a category, and for that fit the identity (a = 0, b = 1, equal weights, scale 1),
// each with the strength of `priorNarratives` narratives. With no data the pool is exactly the configured one
// (src/core/ensemble.ts); as outcomes settle it moves toward what has predicted them.
// What the ensemble forecasts is chosen out of sample, so that it is not worse than its members while it learns:
//  - where one strategy spoke, its own forecast, until its calibrated one has beaten it by more than chance;
//  - where several spoke, the sharpest of them (a calibrated forecaster's expected Brier is its mean p(1 − p)), until
//    the learned pool or another member has beaten it by more than chance on enough settled narratives.
// Averaging a sharp member with a vague one gives away the sharp one's information until outcomes show the mix is
// better: in the simulator the equal-weight pool of crowd and price-threshold forecast price claims 10–60% worse than
// price-threshold alone for the first two days, before a single price claim had settled.
// Pooling is O(strategies) and allocates one result object; fitting runs only when outcomes settle.
import type { EnsembleForecast } from './ensemble.js';

const EPS = 1e-6;
const MAX_LOGIT = Math.log((1 - EPS) / EPS);
const logit = (p: number) => {
  const q = p < EPS ? EPS : p > 1 - EPS ? 1 - EPS : p;
  return Math.log(q / (1 - q));
};
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The log-odds a training row keeps of a probability (clamped as pooling clamps it). */
export const forecastLogit = logit;

/** One settled forecast: each strategy's log-odds and confidence at a decision time (NaN: no opinion), and the outcome. */
export interface TrainingRow {
  narrativeId: string;
  category: string;
  /** Per strategy, in the ensemble's strategy order: logit(pTrue) (see `forecastLogit`), NaN when it gave none. */
  x: Float64Array;
  conf: Float64Array;
  /** What the learned pool forecast at that time (before any lead was chosen), NaN when unknown. */
  pool: number;
  y: 0 | 1;
}

export interface GroupParams {
  a: Float64Array;
  b: Float64Array;
  /** log of the learned weight per strategy (0 = equal). */
  u: Float64Array;
  /** log of the scale (0 = 1). */
  v: number;
  /**
   * Who forecasts where several members spoke (see `calibrated` for one alone): -2 (`SHARPEST`) the sharpest of
   * them; -1 the learned pool; k strategy k where it speaks (elsewhere the sharpest), because on the forecasts settled
   * so far (each scored as it was made, so out of sample) it beat the sharpest by more than chance.
   */
  lead: number;
  /**
   * Per strategy, 1 where it speaks alone its calibrated forecast stands (it beat the raw one out of sample by more
   * than chance), 0 where its own forecast does.
   */
  calibrated: Uint8Array;
  samples: number;
  narratives: number;
}

export interface EnsembleWeightsView {
  updatedAt: string | null;
  groups: Array<{
    /** A category, or "*" for the fit over every category (the prior of the others). */
    category: string;
    samples: number;
    narratives: number;
    scale: number;
    /** Who forecasts where several strategies spoke: "pool", or a strategy (the sharpest, or one that beat it). */
    lead: string;
    /** `calibrated`: where it speaks alone, its calibrated forecast stands (else its own; absent in views stored before it). */
    strategies: Array<{ strategy: string; weight: number; a: number; b: number; calibrated?: boolean }>;
  }>;
}

export interface LearnedEnsembleOptions {
  /** How many narratives' worth of evidence the prior of the pooling weights counts as (shrinkage while data is thin). */
  priorNarratives?: number;
  /**
   * The same for each strategy's calibrator. Stronger: a forecaster that was right at its extremes on a few dozen
   * narratives always "learns" to be more extreme (the likelihood has no maximum under separation), which costs out
   * of sample; a calibrator moves only on the evidence of many narratives.
   */
  calibrationPriorNarratives?: number;
}

export const ALL_CATEGORIES = '*';

/**
 * How much stronger the scale's prior is than the weights'. Stronger priors (3× and 30×) were tried on seeds 11, 23
 * and 42 and forecast worse on every one: while crowd and price-threshold are pooled, extremizing helps.
 */
const SCALE_PRIOR_FACTOR = 1;

/**
 * Newton steps stop once the parameters (log-odds offsets, slopes, log weights) move less than this in all: a
 * thousandth of a log-odds unit changes no forecast's first three digits, and each further step is a pass over
 * every row kept (1e-6 took a third more passes).
 */
const FIT_TOLERANCE = 1e-4;

/** Settled narratives (where several members spoke) before anything but the sharpest member may lead. */
const MIN_LEAD_NARRATIVES = 5;

/**
 * Standard errors by which a challenger's mean per-narrative gain must exceed zero to take the lead. Conservative:
 * narratives on one asset move together, so their differences are not independent and the standard error understates
 * the noise. At 1.64, one world of eleven handed the lead to a pool that then forecast 11% worse.
 */
const LEAD_Z = 2.5;

/** `GroupParams.lead`: the sharpest member that spoke forecasts alone (nothing has beaten it yet). */
const SHARPEST = -2;

/**
 * From per-narrative [rows, Σ gain] pairs: the mean per-narrative gain less t standard errors (a lower bound), or 0
 * with fewer than MIN_LEAD_NARRATIVES narratives. t is Student's quantile (n − 1 degrees of freedom) at the normal
 * LEAD_Z's level: with 5 narratives it is about 4.3, not 2.5. Positive: the gain is more than chance.
 */
function significantGain(perNarrative: Iterable<readonly [number, number]>): number {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (const [rows, gain] of perNarrative) {
    const d = gain / rows;
    n++;
    sum += d;
    sumSq += d * d;
  }
  if (n < MIN_LEAD_NARRATIVES) return 0;
  const mean = sum / n;
  return mean - studentQuantile(LEAD_Z, n - 1) * Math.sqrt(Math.max(0, sumSq / n - mean * mean) / (n - 1));
}

/**
 * Student's t quantile at the level of the normal quantile z, for df degrees of freedom (Cornish–Fisher, 3 terms: at
 * z = 2.5, 4.28 for df 4 against the exact 4.32, 3.04 for df 10, 2.66 for df 30).
 */
function studentQuantile(z: number, df: number): number {
  const z2 = z * z;
  const z3 = z2 * z;
  const z5 = z3 * z2;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z5 * z2 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3);
}

function identity(k: number): GroupParams {
  return { a: new Float64Array(k), b: new Float64Array(k).fill(1), u: new Float64Array(k), v: 0, lead: SHARPEST, calibrated: new Uint8Array(k), samples: 0, narratives: 0 };
}

/** Solves H x = g in place for a small symmetric positive definite system (Gaussian elimination); returns x. */
function solve(H: Float64Array[], g: Float64Array): Float64Array {
  const n = g.length;
  for (let i = 0; i < n; i++) {
    let pivot = H[i]![i]!;
    if (Math.abs(pivot) < 1e-12) pivot = 1e-12;
    for (let r = i + 1; r < n; r++) {
      const f = H[r]![i]! / pivot;
      if (f === 0) continue;
      for (let c = i; c < n; c++) H[r]![c]! -= f * H[i]![c]!;
      g[r]! -= f * g[i]!;
    }
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = g[i]!;
    for (let c = i + 1; c < n; c++) s -= H[i]![c]! * x[c]!;
    x[i] = s / (Math.abs(H[i]![i]!) < 1e-12 ? 1e-12 : H[i]![i]!);
  }
  return x;
}

const clampTo = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : x);

export class LearnedEnsemble {
  private readonly k: number;
  private readonly priorNarratives: number;
  private readonly calibrationPrior: number;
  private global: GroupParams;
  private readonly byCategory = new Map<string, GroupParams>();
  private updatedAt: string | null = null;
  /** The learned pool's own forecast in the last call of `pool` (what the learner records beside the members'). */
  lastPooled = NaN;
  /** Per category (and "*"), per strategy: Σ p(1 − p) and count over the forecasts pooled with others. */
  private readonly sharpness = new Map<string, Float64Array>();
  /** The same over this tick's forecasts that no kept sample holds (cleared at each tick: see `noteTickForecasts`). */
  private readonly tickSharpness = new Map<string, Float64Array>();
  /** Kept and this tick's, summed (reused). */
  private readonly sharpnessNow: Float64Array;

  constructor(readonly strategies: readonly string[], readonly configWeights: readonly number[], o: LearnedEnsembleOptions = {}) {
    this.k = strategies.length;
    this.priorNarratives = o.priorNarratives ?? 10;
    this.calibrationPrior = o.calibrationPriorNarratives ?? 300;
    this.global = identity(this.k);
    this.sharpnessNow = new Float64Array(2 * this.k);
  }

  /** The parameters pooling uses for a category: its own fit, else the fit over every category. */
  params(category: string): GroupParams {
    return this.byCategory.get(category) ?? this.global;
  }

  /**
   * Pools one narrative's opinions (`p[k]` null: strategy k gave none). O(strategies); null when no strategy with a
   * positive weight and confidence spoke.
   */
  pool(category: string, p: ArrayLike<number | null>, conf: ArrayLike<number | null>): EnsembleForecast | null {
    const g = this.params(category);
    let sum = 0;
    let total = 0;
    let confidenceSum = 0;
    let weightSum = 0;
    let contributors = 0;
    let alone = -1;
    for (let k = 0; k < this.k; k++) {
      const pk = p[k];
      const w = this.configWeights[k]!;
      if (pk === null || pk === undefined || w <= 0) continue;
      const ck = conf[k] ?? 0;
      weightSum += w;
      confidenceSum += w * ck;
      if (ck <= 0) continue;
      contributors++;
      alone = k;
      const alpha = w * ck * (g.u[k] === 0 ? 1 : Math.exp(g.u[k]!));
      total += alpha;
      sum += alpha * (g.a[k]! + g.b[k]! * logit(pk));
    }
    if (total <= 0) {
      this.lastPooled = NaN;
      return null;
    }
    // The scale extremizes a pool of several members; one member alone is its calibrator's (fitted with its own prior).
    const pooled = sigmoid((g.v === 0 || contributors < 2 ? 1 : Math.exp(g.v)) * (sum / total));
    this.lastPooled = pooled;
    if (contributors < 2) return { pTrue: g.calibrated[alone] === 1 ? pooled : p[alone]!, confidence: confidenceSum / weightSum, contributors };
    // The lead where it speaks; elsewhere (and by default) the sharpest of those speaking; -1: the pool.
    const k = g.lead >= 0 && this.speaks(p, conf, g.lead) ? g.lead : g.lead === -1 ? -1 : this.sharpest(category, p, conf);
    return { pTrue: k >= 0 ? p[k]! : pooled, confidence: confidenceSum / weightSum, contributors };
  }

  /**
   * Counts how sharp the members are that speak in a narrative's opinions, when several do (as pooling counts them).
   * The learner counts each sample as it takes it (the host shows it a tick's forecasts before any is pooled, so the
   * tick's own count in choosing who leads), and counts them all again at each fit (`resetSharpness` first).
   */
  observeSharpness(category: string, p: ArrayLike<number | null>, conf: ArrayLike<number | null>): void {
    this.countSharpness(this.sharpness, category, p, conf);
  }

  resetSharpness(): void {
    this.sharpness.clear();
  }

  /**
   * A forecast of this tick that no kept sample holds (a narrative sampled less than an hour ago): it counts until the
   * next tick (`newTick`), so that pooling weighs the tick's own forecasts too, as it would after a restart.
   */
  noteTickForecasts(category: string, p: ArrayLike<number | null>, conf: ArrayLike<number | null>): void {
    this.countSharpness(this.tickSharpness, category, p, conf);
  }

  /** A new tick: the last one's unsampled forecasts stop counting. */
  newTick(): void {
    if (this.tickSharpness.size) this.tickSharpness.clear();
  }

  private countSharpness(into: Map<string, Float64Array>, category: string, p: ArrayLike<number | null>, conf: ArrayLike<number | null>): void {
    let speaking = 0;
    for (let k = 0; k < this.k && speaking < 2; k++) if (this.speaks(p, conf, k)) speaking++;
    if (speaking < 2) return;
    this.addSharpness(into, category, p, conf);
    this.addSharpness(into, ALL_CATEGORIES, p, conf);
  }

  private addSharpness(into: Map<string, Float64Array>, key: string, p: ArrayLike<number | null>, conf: ArrayLike<number | null>): void {
    let stats = into.get(key);
    if (!stats) into.set(key, (stats = new Float64Array(2 * this.k)));
    for (let k = 0; k < this.k; k++) {
      if (!this.speaks(p, conf, k)) continue;
      const pk = p[k]!;
      stats[2 * k]! += pk * (1 - pk);
      stats[2 * k + 1]! += 1;
    }
  }

  /** Refits every parameter from the settled rows (all of them: the caller bounds how many it keeps). */
  fit(rows: readonly TrainingRow[], at: string | null = null): void {
    // Each fit starts where the last one ended (a few new rows move it little), shrunk toward its prior.
    this.global = this.fitGroup(ALL_CATEGORIES, rows, identity(this.k), this.global);
    const byCategory = new Map<string, TrainingRow[]>();
    for (const r of rows) {
      let list = byCategory.get(r.category);
      if (!list) byCategory.set(r.category, (list = []));
      list.push(r);
    }
    for (const [category, list] of byCategory) this.byCategory.set(category, this.fitGroup(category, list, this.global, this.byCategory.get(category) ?? this.global));
    this.updatedAt = at;
  }

  private leadName(category: string, lead: number): string {
    if (lead === -1) return 'pool';
    const k = lead === SHARPEST ? this.sharpest(category, null) : lead;
    return k >= 0 ? this.strategies[k]! : 'pool';
  }

  view(): EnsembleWeightsView {
    const group = (category: string, g: GroupParams) => {
      // The weights as shares of the strategies' learned weights (configured weights and confidence apart).
      let z = 0;
      for (let k = 0; k < this.k; k++) z += Math.exp(g.u[k]!);
      return {
        category, samples: g.samples, narratives: g.narratives, scale: Math.exp(g.v), lead: this.leadName(category, g.lead),
        strategies: this.strategies.map((strategy, k) => ({ strategy, weight: Math.exp(g.u[k]!) / z, a: g.a[k]!, b: g.b[k]!, calibrated: g.calibrated[k] === 1 })),
      };
    };
    return { updatedAt: this.updatedAt, groups: [group(ALL_CATEGORIES, this.global), ...[...this.byCategory].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([c, g]) => group(c, g))] };
  }

  private fitGroup(category: string, rows: readonly TrainingRow[], prior: GroupParams, start: GroupParams): GroupParams {
    if (rows.length === 0) return { ...prior, a: prior.a.slice(), b: prior.b.slice(), u: prior.u.slice(), lead: SHARPEST, calibrated: new Uint8Array(this.k), samples: 0, narratives: 0 };
    // Every sample counts (as every decision time does when forecasts are scored), but a narrative's samples are
    // one outcome seen several times: the prior's strength is counted in narratives (`share` sums to 1 per narrative).
    const perNarrative = new Map<string, number>();
    for (const r of rows) perNarrative.set(r.narrativeId, (perNarrative.get(r.narrativeId) ?? 0) + 1);
    const share = new Float64Array(rows.length);
    rows.forEach((r, i) => (share[i] = 1 / perNarrative.get(r.narrativeId)!));
    const weight = new Float64Array(rows.length).fill(1);
    const narratives = perNarrative.size;
    // The prior weighs as much as priorNarratives narratives would (per parameter, by its own curvature).
    const shrink = this.priorNarratives / narratives;
    const g: GroupParams = { a: start.a.slice(), b: start.b.slice(), u: start.u.slice(), v: start.v, lead: -1, calibrated: new Uint8Array(this.k), samples: rows.length, narratives };
    for (let k = 0; k < this.k; k++) this.fitCalibrator(rows, weight, share, k, g, prior);
    this.fitPool(rows, weight, g, prior, shrink);
    g.lead = this.chooseLead(rows, category);
    this.chooseCalibrated(rows, g.calibrated);
    return g;
  }

  /**
   * Who forecasts where several members spoke, judged out of sample (each settled row holds what the pool forecast
   * when it was made). The default is the sharpest member speaking (`SHARPEST`), which for calibrated forecasters is
   * the better one; the learned pool, or a member (where it speaks; elsewhere the default stands), takes over only once
   * it has beaten the default on enough narratives and by more than chance (`significantGain`). Judging per narrative
   * (one outcome, seen at many polls) and demanding significance keeps the lead from following noise. Before any
   * sharpness is measured, the default is judged as the pool (which is what `pool` falls back to then).
   */
  private chooseLead(rows: readonly TrainingRow[], category: string): number {
    // The kept samples' sharpness only (as a restart has it at its first fit), not this tick's forecasts as pooling adds.
    const stats = this.sharpness.get(category) ?? this.sharpness.get(ALL_CATEGORIES) ?? null;
    // Per narrative: its rows, then per candidate (the pool at 1, member k at k + 2) the summed gain over the default.
    const perNarrative = new Map<string, Float64Array>();
    for (const r of rows) {
      if (Number.isNaN(r.pool) || this.speakers(r) < 2) continue;
      const d = stats ? this.sharpestIn(stats, null, null, r) : -1;
      const lossDefault = ((d >= 0 ? sigmoid(r.x[d]!) : r.pool) - r.y) ** 2;
      let acc = perNarrative.get(r.narrativeId);
      if (!acc) perNarrative.set(r.narrativeId, (acc = new Float64Array(this.k + 2)));
      acc[0]! += 1;
      acc[1]! += lossDefault - (r.pool - r.y) ** 2;
      for (let k = 0; k < this.k; k++) if (this.spoke(r, k)) acc[k + 2]! += lossDefault - (sigmoid(r.x[k]!) - r.y) ** 2;
    }
    let best = SHARPEST;
    let bestBound = 0;
    // A strategy without weight never speaks (`spoke`), so it gains nothing and never leads.
    for (let c = -1; c < this.k; c++) {
      if (c === -1 && !stats) continue; // the default is the pool then
      const bound = significantGain(Array.from(perNarrative.values(), (acc) => [acc[0]!, acc[c + 2]!] as const));
      if (bound > bestBound) {
        bestBound = bound;
        best = c;
      }
    }
    return best;
  }

  /**
   * Where one member spoke alone, its calibrated forecast (what the pool was then: out of sample) stands in for its own
   * only once it has beaten it on enough narratives by more than chance, as a lead must.
   */
  private chooseCalibrated(rows: readonly TrainingRow[], into: Uint8Array): void {
    // Per member, per narrative: rows, Σ(loss of its own forecast − loss of the calibrated one).
    const perMember = Array.from({ length: this.k }, () => new Map<string, [number, number]>());
    for (const r of rows) {
      if (Number.isNaN(r.pool) || this.speakers(r) !== 1) continue;
      let k = 0;
      while (!this.spoke(r, k)) k++;
      const d = (sigmoid(r.x[k]!) - r.y) ** 2 - (r.pool - r.y) ** 2;
      const acc = perMember[k]!.get(r.narrativeId);
      if (acc) {
        acc[0]++;
        acc[1] += d;
      } else perMember[k]!.set(r.narrativeId, [1, d]);
    }
    for (let k = 0; k < this.k; k++) into[k] = significantGain(perMember[k]!.values()) > 0 ? 1 : 0;
  }

  /**
   * The member whose forecasts have been sharpest (lowest mean p(1 − p): its own expected Brier, were it calibrated)
   * where several spoke, in the category (else in every category), among those speaking now (`p` with `conf`, as
   * pooling counts them; null: among all): over the samples kept and this tick's forecasts. -1: none measured.
   */
  private sharpest(category: string, p: ArrayLike<number | null> | null, conf: ArrayLike<number | null> | null = null): number {
    const key = this.sharpness.has(category) || this.tickSharpness.has(category) ? category : ALL_CATEGORIES; // kept counts only grow between recounts
    const kept = this.sharpness.get(key);
    const tick = this.tickSharpness.get(key);
    if (!kept && !tick) return -1;
    let stats = kept ?? tick!;
    if (kept && tick) {
      stats = this.sharpnessNow;
      for (let i = 0; i < stats.length; i++) stats[i] = kept[i]! + tick[i]!;
    }
    return this.sharpestIn(stats, p, conf, null);
  }

  /** The sharpest by `stats` among those speaking in `p` (else in `row`, else every strategy with a weight). */
  private sharpestIn(stats: Float64Array, p: ArrayLike<number | null> | null, conf: ArrayLike<number | null> | null, row: TrainingRow | null): number {
    let best = -1;
    let bestMean = Infinity;
    for (let k = 0; k < this.k; k++) {
      const seen = stats[2 * k + 1]!;
      if (!(seen > 0) || !(p ? this.speaks(p, conf, k) : row ? this.spoke(row, k) : this.configWeights[k]! > 0)) continue;
      const mean = stats[2 * k]! / seen;
      if (mean < bestMean) {
        bestMean = mean;
        best = k;
      }
    }
    return best;
  }

  /** Whether strategy k speaks in a pool's inputs (a probability, a positive weight and confidence). */
  private speaks(p: ArrayLike<number | null>, conf: ArrayLike<number | null> | null, k: number): boolean {
    const pk = p[k];
    return pk !== null && pk !== undefined && this.configWeights[k]! > 0 && (conf?.[k] ?? 0) > 0;
  }

  /** Whether strategy k, with a positive weight, spoke with a positive confidence in a row (as pooling counts it). */
  private spoke(r: TrainingRow, k: number): boolean {
    return !Number.isNaN(r.x[k]!) && this.configWeights[k]! > 0 && r.conf[k]! > 0;
  }

  /** How many strategies spoke in a row, as pooling counts them. */
  private speakers(r: TrainingRow): number {
    let n = 0;
    for (let k = 0; k < this.k; k++) if (this.spoke(r, k)) n++;
    return n;
  }

  /** Platt scaling of strategy k: Newton steps of penalised logistic regression toward the prior. */
  private fitCalibrator(rows: readonly TrainingRow[], weight: Float64Array, share: Float64Array, k: number, g: GroupParams, prior: GroupParams): void {
    let a = g.a[k]!;
    let b = g.b[k]!;
    // The prior weighs as much as priorNarratives narratives, measured by the curvature at the prior itself (at the
    // fit, curvature vanishes as forecasts grow extreme, and a prior measured there would let b run off).
    let seen = 0;
    let f00 = 0;
    let f11 = 0;
    for (let i = 0; i < rows.length; i++) {
      const x = rows[i]!.x[k]!;
      if (Number.isNaN(x)) continue;
      const q = sigmoid(prior.a[k]! + prior.b[k]! * x);
      const h = weight[i]! * q * (1 - q);
      seen += share[i]!;
      f00 += h;
      f11 += h * x * x;
    }
    if (seen === 0) return; // this strategy never spoke here: the prior stands
    const l0 = Math.max(1e-6, (this.calibrationPrior * f00) / seen);
    const l1 = Math.max(1e-6, (this.calibrationPrior * f11) / seen);
    for (let it = 0; it < 20; it++) {
      let g0 = 0;
      let g1 = 0;
      let h00 = 0;
      let h01 = 0;
      let h11 = 0;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        const x = r.x[k]!;
        if (Number.isNaN(x)) continue;
        const w = weight[i]!;
        const q = sigmoid(a + b * x);
        const d = w * (q - r.y);
        const h = w * q * (1 - q);
        g0 += d;
        g1 += d * x;
        h00 += h;
        h01 += h * x;
        h11 += h * x * x;
      }
      g0 += l0 * (a - prior.a[k]!);
      g1 += l1 * (b - prior.b[k]!);
      h00 += l0;
      h11 += l1;
      const det = h00 * h11 - h01 * h01;
      if (!(det > 0)) break;
      const da = (h11 * g0 - h01 * g1) / det;
      const db = (h00 * g1 - h01 * g0) / det;
      a = clampTo(a - da, -MAX_LOGIT, MAX_LOGIT);
      b = clampTo(b - db, 0.5, 1.5); // never turns a forecast around, never more than halves or adds half its log-odds
      if (Math.abs(da) + Math.abs(db) < FIT_TOLERANCE) break;
    }
    g.a[k] = a;
    g.b[k] = b;
  }

  /** The pooling weights and scale: Gauss–Newton steps on the penalised log loss of the pooled forecast. */
  private fitPool(rows: readonly TrainingRow[], weight: Float64Array, g: GroupParams, prior: GroupParams, shrink: number): void {
    const n = this.k + 1;
    const c = new Float64Array(this.k);
    const alpha = new Float64Array(this.k);
    const ew = new Float64Array(this.k);
    const grad = new Float64Array(n);
    const gz = new Float64Array(n);
    // The Hessian in one flat array (row i at i·n), with row views of it for the solver: the accumulation per row reads
    // and writes it without an array per row in between.
    const hFlat = new Float64Array(n * n);
    const H = Array.from({ length: n }, (_, i) => hFlat.subarray(i * n, (i + 1) * n));
    // The prior's strength per parameter: priorNarratives narratives' worth of curvature, measured at the prior.
    const lambda = new Float64Array(n);
    const current = { u: g.u.slice(), v: g.v };
    g.u.set(prior.u);
    g.v = prior.v;
    // What no step changes, once per fit: each row's calibrated log-odds per strategy and its weight before the
    // learned one (0: that strategy gave nothing there). The same arithmetic, in the same order, as it was per pass.
    const calibrated = new Float64Array(rows.length * this.k);
    const base = new Float64Array(rows.length * this.k);
    for (let ri = 0; ri < rows.length; ri++) {
      const r = rows[ri]!;
      for (let k = 0; k < this.k; k++) {
        const x = r.x[k]!;
        const w = this.configWeights[k]!;
        const cf = r.conf[k]!;
        if (Number.isNaN(x) || w <= 0 || !(cf > 0)) continue;
        calibrated[ri * this.k + k] = g.a[k]! + g.b[k]! * x;
        base[ri * this.k + k] = w * cf;
      }
    }
    for (let it = 0; it < 16; it++) {
      if (it === 1) {
        // The scale extremizes like a calibrator's slope; it is bounded (±0.5 in log) rather than held by a strong prior.
        for (let i = 0; i < n; i++) lambda[i] = Math.max(1e-6, (i < this.k ? shrink : shrink * SCALE_PRIOR_FACTOR) * H[i]![i]!);
        g.u.set(current.u);
        g.v = current.v;
      }
      grad.fill(0);
      hFlat.fill(0);
      const scale = Math.exp(g.v);
      for (let k = 0; k < this.k; k++) ew[k] = Math.exp(g.u[k]!);
      for (let ri = 0; ri < rows.length; ri++) {
        const r = rows[ri]!;
        let total = 0;
        let sum = 0;
        let speakers = 0;
        for (let k = 0; k < this.k; k++) {
          const wcf = base[ri * this.k + k]!;
          if (wcf === 0) {
            alpha[k] = 0;
            continue;
          }
          speakers++;
          c[k] = calibrated[ri * this.k + k]!;
          alpha[k] = wcf * ew[k]!;
          total += alpha[k]!;
          sum += alpha[k]! * c[k]!;
        }
        if (total <= 0) continue;
        const rw = weight[ri]!;
        const m = sum / total;
        const pooled = speakers > 1;
        const z = pooled ? scale * m : m;
        const q = sigmoid(z);
        const d = rw * (q - r.y);
        const h = rw * q * (1 - q);
        for (let k = 0; k < this.k; k++) gz[k] = alpha[k]! > 0 ? ((pooled ? scale : 1) * alpha[k]! * (c[k]! - m)) / total : 0;
        gz[this.k] = pooled ? z : 0;
        for (let i = 0; i < n; i++) {
          const gi = gz[i]!;
          if (gi === 0) continue;
          grad[i]! += d * gi;
          const row = i * n;
          for (let j = 0; j < n; j++) hFlat[row + j]! += h * gi * gz[j]!;
        }
      }
      if (it === 0) continue; // that pass only measured the curvature at the prior
      for (let i = 0; i < n; i++) {
        grad[i]! += lambda[i]! * (i < this.k ? g.u[i]! - prior.u[i]! : g.v - prior.v);
        H[i]![i]! += lambda[i]!;
      }
      const step = solve(H, grad);
      let moved = 0;
      for (let k = 0; k < this.k; k++) {
        const next = clampTo(g.u[k]! - step[k]!, -6, 6);
        moved += Math.abs(next - g.u[k]!);
        g.u[k] = next;
      }
      const nextV = clampTo(g.v - step[this.k]!, -0.5, 0.5);
      moved += Math.abs(nextV - g.v);
      g.v = nextV;
      if (moved < FIT_TOLERANCE) break;
    }
  }
}
