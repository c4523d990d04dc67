// The ensemble that learns from settled outcomes. Each strategy's probability is first calibrated (Platt: a + b·logit p,
// per category), then the calibrated log-odds are pooled with weights (confidence × configured weight × a learned
// weight, normalised over the strategies that spoke) and a learned scale:
//   logit P = scale · Σ αₖ cₖ / Σ αₖ,  cₖ = aₖ + bₖ·logit pₖ,  αₖ = confidenceₖ · configuredₖ · exp(uₖ).
// Every parameter is fitted by penalised maximum likelihood (Newton steps) on settled forecasts, shrunk toward a
// prior: the all-categories fit for a category, and for that fit the identity (a = 0, b = 1, equal weights, scale 1),
// each with the strength of `priorNarratives` narratives. With no data the pool is exactly the configured one
// (src/core/ensemble.ts); as outcomes settle it moves toward what has predicted them. Pooling is O(strategies) and
// allocates one result object; fitting runs only when outcomes settle.
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
   * -1: the learned pool forecasts; k: strategy k alone does, wherever it speaks, because on the forecasts settled so
   * far (each scored as it was made, so out of sample) it beat the pool.
   */
  lead: number;
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
    /** "pool", or the strategy that forecasts alone (it beat the pool out of sample). */
    lead: string;
    strategies: Array<{ strategy: string; weight: number; a: number; b: number }>;
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

/** Settled narratives a strategy must have spoken on before it may lead alone. */
const MIN_LEAD_NARRATIVES = 5;

function identity(k: number): GroupParams {
  return { a: new Float64Array(k), b: new Float64Array(k).fill(1), u: new Float64Array(k), v: 0, lead: -1, samples: 0, narratives: 0 };
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

  constructor(readonly strategies: readonly string[], readonly configWeights: readonly number[], o: LearnedEnsembleOptions = {}) {
    this.k = strategies.length;
    this.priorNarratives = o.priorNarratives ?? 10;
    this.calibrationPrior = o.calibrationPriorNarratives ?? 300;
    this.global = identity(this.k);
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
    for (let k = 0; k < this.k; k++) {
      const pk = p[k];
      const w = this.configWeights[k]!;
      if (pk === null || pk === undefined || w <= 0) continue;
      const ck = conf[k] ?? 0;
      weightSum += w;
      confidenceSum += w * ck;
      if (ck <= 0) continue;
      contributors++;
      const alpha = w * ck * (g.u[k] === 0 ? 1 : Math.exp(g.u[k]!));
      total += alpha;
      sum += alpha * (g.a[k]! + g.b[k]! * logit(pk));
    }
    if (total <= 0) {
      this.lastPooled = NaN;
      return null;
    }
    const pooled = sigmoid((g.v === 0 ? 1 : Math.exp(g.v)) * (sum / total));
    this.lastPooled = pooled;
    const lead = g.lead >= 0 ? p[g.lead] : null;
    return { pTrue: lead === null || lead === undefined ? pooled : lead, confidence: confidenceSum / weightSum, contributors };
  }

  /** Refits every parameter from the settled rows (all of them: the caller bounds how many it keeps). */
  fit(rows: readonly TrainingRow[], at: string | null = null): void {
    // Each fit starts where the last one ended (a few new rows move it little), shrunk toward its prior.
    this.global = this.fitGroup(rows, identity(this.k), this.global);
    const byCategory = new Map<string, TrainingRow[]>();
    for (const r of rows) {
      let list = byCategory.get(r.category);
      if (!list) byCategory.set(r.category, (list = []));
      list.push(r);
    }
    for (const [category, list] of byCategory) this.byCategory.set(category, this.fitGroup(list, this.global, this.byCategory.get(category) ?? this.global));
    this.updatedAt = at;
  }

  view(): EnsembleWeightsView {
    const group = (category: string, g: GroupParams) => {
      // The weights as shares of the strategies' learned weights (configured weights and confidence apart).
      let z = 0;
      for (let k = 0; k < this.k; k++) z += Math.exp(g.u[k]!);
      return {
        category, samples: g.samples, narratives: g.narratives, scale: Math.exp(g.v), lead: g.lead >= 0 ? this.strategies[g.lead]! : 'pool',
        strategies: this.strategies.map((strategy, k) => ({ strategy, weight: Math.exp(g.u[k]!) / z, a: g.a[k]!, b: g.b[k]! })),
      };
    };
    return { updatedAt: this.updatedAt, groups: [group(ALL_CATEGORIES, this.global), ...[...this.byCategory].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([c, g]) => group(c, g))] };
  }

  private fitGroup(rows: readonly TrainingRow[], prior: GroupParams, start: GroupParams): GroupParams {
    if (rows.length === 0) return { ...prior, a: prior.a.slice(), b: prior.b.slice(), u: prior.u.slice(), lead: -1, samples: 0, narratives: 0 };
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
    const g: GroupParams = { a: start.a.slice(), b: start.b.slice(), u: start.u.slice(), v: start.v, lead: -1, samples: rows.length, narratives };
    for (let k = 0; k < this.k; k++) this.fitCalibrator(rows, weight, share, k, g, prior);
    this.fitPool(rows, weight, g, prior, shrink);
    g.lead = this.chooseLead(rows);
    return g;
  }

  /**
   * Follow the leader, out of sample: each settled row holds what the pool forecast when it was made. A strategy
   * that, on the rows where it spoke, scored a lower Brier than the pool did (over enough narratives) forecasts
   * alone: so the ensemble is never worse than its best member for long.
   */
  private chooseLead(rows: readonly TrainingRow[]): number {
    let best = -1;
    let bestGain = 0;
    for (let k = 0; k < this.k; k++) {
      let member = 0;
      let pool = 0;
      const narratives = new Set<string>();
      for (const r of rows) {
        const x = r.x[k]!;
        if (Number.isNaN(x) || Number.isNaN(r.pool)) continue;
        member += (sigmoid(x) - r.y) ** 2;
        pool += (r.pool - r.y) ** 2;
        narratives.add(r.narrativeId);
      }
      if (narratives.size < MIN_LEAD_NARRATIVES) continue;
      const gain = pool - member;
      if (gain > bestGain) {
        bestGain = gain;
        best = k;
      }
    }
    return best;
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
        for (let k = 0; k < this.k; k++) {
          const wcf = base[ri * this.k + k]!;
          if (wcf === 0) {
            alpha[k] = 0;
            continue;
          }
          c[k] = calibrated[ri * this.k + k]!;
          alpha[k] = wcf * ew[k]!;
          total += alpha[k]!;
          sum += alpha[k]! * c[k]!;
        }
        if (total <= 0) continue;
        const rw = weight[ri]!;
        const m = sum / total;
        const z = scale * m;
        const q = sigmoid(z);
        const d = rw * (q - r.y);
        const h = rw * q * (1 - q);
        for (let k = 0; k < this.k; k++) gz[k] = alpha[k]! > 0 ? (scale * alpha[k]! * (c[k]! - m)) / total : 0;
        gz[this.k] = z;
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
