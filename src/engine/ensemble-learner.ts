// Feeds the learning ensemble (src/core/learned-ensemble.ts): samples each open narrative's forecasts about once an
// hour of decision time, turns them into training rows when the narrative settles, and refits when outcomes arrived
// (never per evaluation). Learns only from outcomes the engine has recorded, so a backtest learns only from what was
// known at each time. What it keeps goes through the EnsembleMemory port, so a restart resumes where it was.
import { isOpenForBacking, type Narrative } from '../core/narrative.js';
import { forecastLogit, LearnedEnsemble, type TrainingRow } from '../core/learned-ensemble.js';
import type { EnsembleMemory, ForecastSample } from '../ports/ensemble-memory.js';
import type { Outcome } from '../ports/store.js';

export interface EnsembleLearnerOptions {
  /** Decision time between two samples of one narrative. */
  sampleEveryMs?: number;
  /** Settled samples kept and fitted on (the newest). */
  maxRows?: number;
  /** Clock time between two fits (outcomes that settle in between wait for the next). */
  refitEveryMs?: number;
  priorNarratives?: number;
}

/** The key under which a sample keeps the learned pool's own forecast (what it is judged by, out of sample). */
const POOL_KEY = '#pool';

/** New rows that always justify a fit (while little is known, every outcome counts). */
const MIN_NEW_ROWS = 20;
/** Clock time after which any new row is fitted on. */
const REFIT_AT_LEAST_EVERY_MS = 86_400_000;

/** Unsettled narratives followed at most (one that never settles is forgotten, oldest first). */
const MAX_PENDING = 20_000;

export class EnsembleLearner {
  readonly model: LearnedEnsemble;
  private readonly index = new Map<string, number>();
  private readonly pending = new Map<string, ForecastSample[]>();
  private readonly lastSample = new Map<string, number>();
  private rows: TrainingRow[] = [];
  /** One sample's forecasts per strategy (reused). */
  private readonly scratchP: Array<number | null>;
  private readonly scratchConf: Array<number | null>;
  /** Rows settled since the last fit. */
  private newRows = 0;
  private lastFitMs = -Infinity;
  private readonly refitEveryMs: number;
  private readonly sampleEveryMs: number;
  private readonly maxRows: number;

  constructor(strategies: readonly string[], weights: readonly number[], private readonly memory: EnsembleMemory | null, o: EnsembleLearnerOptions = {}) {
    this.model = new LearnedEnsemble(strategies, weights, o.priorNarratives !== undefined ? { priorNarratives: o.priorNarratives } : {});
    strategies.forEach((s, k) => this.index.set(s, k));
    this.scratchP = new Array<number | null>(strategies.length).fill(null);
    this.scratchConf = new Array<number | null>(strategies.length).fill(null);
    this.sampleEveryMs = o.sampleEveryMs ?? 3_600_000;
    this.maxRows = o.maxRows ?? 4_000;
    this.refitEveryMs = o.refitEveryMs ?? 3_600_000;
    if (memory) this.restore(memory);
  }

  private restore(memory: EnsembleMemory): void {
    const { settled, pending } = memory.loadForecastSamples(this.maxRows);
    for (const s of settled) this.rows.push(this.row(s, s.outcome ? 1 : 0));
    for (const s of pending) {
      this.pendingOf(s.narrativeId).push(s);
      this.lastSample.set(s.narrativeId, Math.max(this.lastSample.get(s.narrativeId) ?? -Infinity, s.t));
    }
    this.recountSharpness();
    if (this.rows.length) this.model.fit(this.rows, memory.ensembleWeights()?.updatedAt ?? null);
  }

  /**
   * How sharp each strategy has been (who leads until outcomes say otherwise), counted again over the samples kept:
   * the rows fitted on and the samples pending. At each fit and at a restart, so the figures after a restart are those
   * of the last fit, and samples taken since (LearnedEnsemble.observeSharpness adds each as it is taken).
   */
  private recountSharpness(): void {
    this.model.resetSharpness();
    for (const r of this.rows) this.rowSharpness(r);
    for (const list of this.pending.values()) for (const s of list) this.sampleSharpness(s.category, s.forecasts);
  }

  private sampleSharpness(category: string, forecasts: ForecastSample['forecasts']): void {
    const p = this.scratchP.fill(null);
    const conf = this.scratchConf.fill(null);
    for (const strategy in forecasts) {
      const i = this.index.get(strategy);
      if (i === undefined) continue; // the pool's own, or a strategy no longer configured
      p[i] = forecasts[strategy]![0];
      conf[i] = forecasts[strategy]![1];
    }
    this.model.observeSharpness(category, p, conf);
  }

  /** The same for a training row (its forecasts as log-odds). */
  private rowSharpness(r: TrainingRow): void {
    for (let k = 0; k < this.index.size; k++) {
      const x = r.x[k]!;
      this.scratchP[k] = Number.isNaN(x) ? null : 1 / (1 + Math.exp(-x));
      this.scratchConf[k] = r.conf[k]!;
    }
    this.model.observeSharpness(r.category, this.scratchP, this.scratchConf);
  }

  private pendingOf(id: string): ForecastSample[] {
    let list = this.pending.get(id);
    if (!list) {
      if (this.pending.size >= MAX_PENDING) {
        const oldest = this.pending.keys().next().value!;
        this.pending.delete(oldest);
        this.lastSample.delete(oldest);
      }
      this.pending.set(id, (list = []));
    }
    return list;
  }

  private row(s: ForecastSample, y: 0 | 1): TrainingRow {
    const k = this.index.size;
    const x = new Float64Array(k).fill(NaN);
    const conf = new Float64Array(k);
    let pool = NaN;
    for (const [strategy, [pTrue, confidence]] of Object.entries(s.forecasts)) {
      if (strategy === POOL_KEY) {
        pool = pTrue;
        continue;
      }
      const i = this.index.get(strategy);
      if (i === undefined) continue; // a strategy no longer configured
      x[i] = forecastLogit(pTrue);
      conf[i] = confidence;
    }
    return { narrativeId: s.narrativeId, category: s.category, x, conf, pool, y };
  }

  /** The forecasts of a narrative at a decision time (p[k] null: strategy k gave none); sampled when due. */
  observe(n: Readonly<Narrative>, nowMs: number, p: ArrayLike<number | null>, conf: ArrayLike<number | null>): void {
    if (!this.due(n, nowMs)) return;
    const forecasts: Record<string, [number, number]> = {};
    let any = false;
    for (let k = 0; k < this.model.strategies.length; k++) {
      const pk = p[k];
      if (pk === null || pk === undefined) continue;
      forecasts[this.model.strategies[k]!] = [pk, conf[k] ?? 0];
      any = true;
    }
    if (!any) return;
    if (Number.isFinite(this.model.lastPooled)) forecasts[POOL_KEY] = [this.model.lastPooled, 1];
    const sample: ForecastSample = { narrativeId: n.id, category: n.category, t: nowMs, forecasts };
    this.pendingOf(n.id).push(sample); // its sharpness was counted before pooling (noteSharpness)
    this.lastSample.set(n.id, nowMs);
    this.memory?.addForecastSample(sample);
  }

  /** Whether a sample of this narrative's forecasts is due now (open for backing; the last one sampleEveryMs ago). */
  due(n: Readonly<Narrative>, nowMs: number): boolean {
    if (!isOpenForBacking(n)) return false;
    const last = this.lastSample.get(n.id);
    return last === undefined || nowMs - last >= this.sampleEveryMs;
  }

  /**
   * A tick's forecasts of a narrative, before any is pooled (the host shows them all, then pools): they count in the
   * strategies' sharpness at once, so the tick's own forecasts count in choosing who leads. As a sample when one is
   * due (`observe` then keeps it), else for this tick only; a narrative not open for backing is never sampled and does
   * not count.
   */
  noteSharpness(n: Readonly<Narrative>, nowMs: number, p: ArrayLike<number | null>, conf: ArrayLike<number | null>): void {
    if (this.due(n, nowMs)) this.model.observeSharpness(n.category, p, conf);
    else if (isOpenForBacking(n)) this.model.noteTickForecasts(n.category, p, conf);
  }

  /** A narrative's outcome was recorded: its samples become training rows (refunds teach nothing). */
  settle(narrativeId: string, outcome: Outcome): void {
    const samples = this.pending.get(narrativeId);
    this.pending.delete(narrativeId);
    this.lastSample.delete(narrativeId);
    if (!samples) return;
    this.memory?.settleForecastSamples(narrativeId, outcome);
    if (outcome === 'refund') return;
    for (const s of samples) this.rows.push(this.row(s, outcome === 'true' ? 1 : 0));
    if (this.rows.length > this.maxRows) this.rows = this.rows.slice(this.rows.length - this.maxRows);
    this.newRows += samples.length;
  }

  /**
   * Refits when outcomes arrived since the last fit: at most once per refitEveryMs, and only once the new rows are a
   * tenth of what it fits on (at least MIN_NEW_ROWS) or a day has passed. A fit is a pass over every row kept, so
   * fitting on every hour's few new rows made the learner the costliest part of a month's backtest; a tenth more
   * data moves the parameters little. Returns whether it fitted.
   */
  refit(at: string): boolean {
    if (this.newRows === 0) return false;
    const atMs = Date.parse(at);
    const since = atMs - this.lastFitMs;
    if (since < this.refitEveryMs) return false;
    if (this.newRows < Math.max(MIN_NEW_ROWS, this.rows.length / 10) && since < REFIT_AT_LEAST_EVERY_MS) return false;
    this.lastFitMs = atMs;
    this.newRows = 0;
    this.recountSharpness(); // what settled as a refund, or slid out of the rows kept, stops counting
    this.model.fit(this.rows, at);
    this.memory?.saveEnsembleWeights(this.model.view());
    return true;
  }
}
