// The store a backtest plugs in: the same port as SQLite, fit for millions of replayed snapshots. Observations
// (snapshots, opinions, skip decisions) live in memory as counters, history windows and the last open forecast per
// narrative and strategy, so calibration and the run summary are kept up to date as the replay goes instead of being
// queried at its end. The ledger (backing decisions, the journal, outcomes, resolutions) is SQLite in memory, so the
// dry-run executor journals through the very same code as live and dry-run.
import type { Calibration } from '../core/calibration.js';
import type { Decision, PortfolioView } from '../core/decide.js';
import type { ResolutionDecision } from '../core/decide-resolution.js';
import type { Narrative, NarrativeSnapshot } from '../core/narrative.js';
import type { EnsembleWeightsView } from '../core/learned-ensemble.js';
import type { EnsembleMemory, ForecastSample, SettledSample } from '../ports/ensemble-memory.js';
import type { PnlSummary, RunReadModel, RunSummary } from '../ports/read-model.js';
import type { FeedObservation, OpinionRecord, Outcome, OutcomeRecord, SettledBacking, Store, TickOutcome } from '../ports/store.js';
import { calibrationOf, pnlSummary } from '../report/calibration-report.js';
import { ALWAYS_HALF, CROWD_SHARE } from '../core/strategy.js';
import { AwaitingOutcomes } from './awaiting-outcomes.js';
import { HistoryWindows, sameObservation } from './history-windows.js';
import { reasonKind } from '../core/reason-kind.js';
import { SqliteStore } from './sqlite-store.js';

/** The baselines every strategy is scored against, on the same narratives as the ensemble (named in core/strategy). */
export { ALWAYS_HALF, CROWD_SHARE };

export interface ReplayStoreOptions {
  historyWindowMs: number;
  /** Called with every decision made, in order (the backtest's decision fingerprint). */
  onDecision?: (d: Decision | ResolutionDecision, kind: 'back' | 'resolve', createdAt: string) => void;
  /** Called with every narrative's opinions at every tick (the backtest's scoring against the truth). */
  onOpinions?: (narrativeId: string, category: string, opinions: readonly OpinionRecord[], oracleStatus: string | undefined) => void;
}

export class ReplayStore implements Store, RunReadModel, EnsembleMemory {
  /** The ledger: SQLite in memory, bound to dry-run. The journal of the dry-run executor writes here. */
  readonly ledger: SqliteStore;
  private readonly windows: HistoryWindows;
  private readonly last = new Map<string, Narrative>();
  private readonly titles = new Map<string, { title: string; category: string }>();
  /** narrative → the last probability each strategy gave while the narrative was open for backing. */
  private readonly lastOpen = new Map<string, LastForecasts>();
  /** Strategy name → its place in every LastForecasts (as first met). */
  private readonly strategyIndex = new Map<string, number>();
  private readonly strategyNames: string[] = [];
  /** Each tick's opinions come in the same strategy order: the place of the name last seen at each position is kept. */
  private readonly byPosition: Array<{ strategy: string; k: number } | undefined> = [];
  /** narrative → the crowd's share of backers while open, (backers + 1) / (participants + 2): a baseline forecast. */
  private readonly crowdShare = new Map<string, number>();
  private readonly outcomes = new Map<string, Outcome>();
  private readonly awaiting = new AwaitingOutcomes();
  /** The time of the latest feed recorded: every decision is about a narrative of that feed, seen then. */
  private feedMs = 0;
  private readonly skipReasons = new Map<string, number>();
  private readonly backs: RunSummary['backs'] = [];
  private tickCount = 0;
  private readonly counts = { ok: 0, failed: 0, snapshots: 0, opinions: 0, strategyErrors: 0, back: 0, skip: 0, staked: 0n };
  private nextSkipId = -1;
  private cachedPnl: { version: number; pnl: PnlSummary } | null = null;
  /** issue 17: the learning ensemble's weights as last fitted (a backtest starts with none and learns as it goes). */
  private weights: EnsembleWeightsView | null = null;
  private cachedOpen: { version: number; open: Array<{ narrativeId: string; stakeLamports: bigint }> } | null = null;

  constructor(private readonly o: ReplayStoreOptions) {
    this.ledger = SqliteStore.open(':memory:', { ledger: 'dry-run' });
    // Ticks and skip decisions are not rows here: the ledger's references to them are not enforced.
    this.ledger.db.pragma('foreign_keys = OFF');
    this.windows = new HistoryWindows(o.historyWindowMs);
  }

  beginTick(): number {
    return ++this.tickCount;
  }

  finishTick(_tickId: number, outcome: TickOutcome): void {
    if (outcome.status === 'ok') this.counts.ok++;
    else if (outcome.status === 'failed') this.counts.failed++;
  }

  /** Nothing to commit together in memory: the ledger's own writes are each a transaction of the journal. */
  batch<T>(fn: () => T): T {
    return fn();
  }

  recordFeed(_tickId: number, observedAt: string, items: readonly FeedObservation[]): number {
    const nowMs = Date.parse(observedAt);
    this.feedMs = nowMs;
    let changed = 0;
    const ids: string[] = [];
    for (const { narrative: n } of items) {
      ids.push(n.id);
      const last = this.last.get(n.id);
      if (last && (last === n || sameObservation(last, n))) {
        this.windows.seen(n.id, nowMs);
        continue;
      }
      if (!last) this.titles.set(n.id, { title: n.title, category: n.category });
      const participants = n.backerCount + n.challengeCount;
      if ((n.oracleStatus === 'open' || n.oracleStatus === 'live') && participants > 0) this.crowdShare.set(n.id, (n.backerCount + 1) / (participants + 2));
      this.last.set(n.id, n);
      changed++;
      this.windows.append(n.id, { observedAt, observedMs: nowMs, oracleStatus: n.oracleStatus, totalBackedLamports: n.totalBackedLamports, backerCount: n.backerCount, challengeCount: n.challengeCount }, nowMs);
    }
    this.awaiting.observeFeed(ids, nowMs);
    this.counts.snapshots += changed;
    this.windows.sweep(nowMs);
    return changed;
  }

  history(narrativeId: string, nowMs: number): readonly NarrativeSnapshot[] {
    return this.windows.history(narrativeId, nowMs);
  }

  recordOpinions(_tickId: number, narrativeId: string, _observedAt: string, opinions: readonly OpinionRecord[], oracleStatus?: string): void {
    const open = oracleStatus === 'open' || oracleStatus === 'live';
    this.o.onOpinions?.(narrativeId, this.titles.get(narrativeId)?.category ?? '', opinions, oracleStatus);
    let last: LastForecasts | undefined; // looked up once per narrative, not once per opinion
    for (let i = 0; i < opinions.length; i++) {
      const o = opinions[i]!;
      if (o.strategy !== 'ensemble') this.counts.opinions++;
      if (o.error !== undefined) this.counts.strategyErrors++;
      if (open && o.pTrue !== null) {
        if (!last) {
          last = this.lastOpen.get(narrativeId);
          if (!last) this.lastOpen.set(narrativeId, (last = new LastForecasts()));
        }
        last.set(this.indexOf(o.strategy, i), o.pTrue);
      }
    }
  }

  /** The place of a strategy (see byPosition for the common case). */
  private indexOf(strategy: string, position: number): number {
    const seen = this.byPosition[position];
    if (seen?.strategy === strategy) return seen.k;
    let k = this.strategyIndex.get(strategy);
    if (k === undefined) {
      this.strategyIndex.set(strategy, (k = this.strategyNames.length));
      this.strategyNames.push(strategy);
    }
    if (position < 64) this.byPosition[position] = { strategy, k };
    return k;
  }

  recordDecision(tickId: number, d: Decision, createdAt: string): number {
    this.o.onDecision?.(d, 'back', createdAt);
    this.noteDecided(d.narrativeId);
    if (d.action === 'skip') {
      this.counts.skip++;
      const kind = d.reasonKinds?.[0] ?? reasonKind(d.reasons[0] ?? 'unknown');
      this.skipReasons.set(kind, (this.skipReasons.get(kind) ?? 0) + 1);
      return this.nextSkipId--;
    }
    this.counts.back++;
    this.counts.staked += d.stakeLamports;
    const t = this.titles.get(d.narrativeId);
    this.backs.push({ narrativeId: d.narrativeId, title: t?.title ?? '', category: t?.category ?? '', pTrue: d.pTrue ?? 0, edge: d.edge ?? 0, stakeLamports: d.stakeLamports, at: createdAt });
    return this.ledger.recordDecision(tickId, d, createdAt);
  }

  recordResolutionDecision(tickId: number, d: ResolutionDecision, createdAt: string): number {
    this.o.onDecision?.(d, 'resolve', createdAt);
    this.noteDecided(d.narrativeId);
    return this.ledger.recordResolutionDecision(tickId, d, createdAt);
  }

  private noteDecided(narrativeId: string): void {
    if (!this.outcomes.has(narrativeId)) this.awaiting.add(narrativeId, this.feedMs);
  }

  hasResolution(narrativeId: string): boolean {
    return this.ledger.hasResolution(narrativeId);
  }

  portfolioView(dayStart: string): PortfolioView {
    return this.ledger.portfolioView(dayStart);
  }

  narrativesAwaitingOutcome(exclude: ReadonlySet<string>, limit: number, heldOnly = false, nowMs?: number): string[] {
    // The book's own set: a portfolio view would also sum the spending window from a start far ahead, which moved the
    // book's window past every entry (dropping them) and sent each later sum to SQL.
    const held = heldOnly ? this.ledger.ledgerBook('dry-run').heldNarratives : null;
    return this.awaiting.take(exclude, limit, nowMs, held ? (id) => held.has(id) : undefined);
  }

  deferOutcomeLookup(narrativeId: string, untilMs: number): void {
    this.awaiting.defer(narrativeId, untilMs);
  }

  recordOutcome(o: OutcomeRecord, at: string, pnl: (stake: bigint, outcome: Outcome) => bigint): SettledBacking[] | null {
    if (this.outcomes.has(o.narrativeId)) return null;
    this.outcomes.set(o.narrativeId, o.outcome);
    this.awaiting.resolve(o.narrativeId);
    return this.ledger.recordOutcome(o, at, pnl);
  }

  // The ensemble's memory: the learner keeps its samples itself for the length of a backtest; only the weights are
  // kept here, for the result and the report.
  addForecastSample(_sample: ForecastSample): void {}

  settleForecastSamples(_narrativeId: string, _outcome: Outcome): void {}

  loadForecastSamples(): { settled: SettledSample[]; pending: ForecastSample[] } {
    return { settled: [], pending: [] };
  }

  saveEnsembleWeights(view: EnsembleWeightsView): void {
    this.weights = view;
  }

  ensembleWeights(): EnsembleWeightsView | null {
    return this.weights;
  }

  getMeta(key: string): string | null {
    return this.ledger.getMeta(key);
  }

  setMeta(key: string, value: string): void {
    this.ledger.setMeta(key, value);
  }

  runSummary(limit = 10): RunSummary {
    return {
      ticks: { ok: this.counts.ok, failed: this.counts.failed },
      narratives: this.titles.size, // (each narrative's title is kept from its first sight)
      snapshots: this.counts.snapshots,
      opinions: this.counts.opinions,
      strategyErrors: this.counts.strategyErrors,
      decisions: { back: this.counts.back, skip: this.counts.skip },
      stakedLamports: this.counts.staked,
      topSkipReasons: [...this.skipReasons.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([reason, count]) => ({ reason, count })),
      backs: limit > 0 ? this.backs.slice(-limit).reverse() : [],
      apiCalls: { total: 0, errors: 0, rateLimited: 0 },
    };
  }

  /** Every skip reason (its kind, without figures) with how many skips gave it first, most common first. */
  skipReasonCounts(): Array<{ reason: string; count: number }> {
    return [...this.skipReasons.entries()].sort((a, b) => b[1] - a[1]).map(([reason, count]) => ({ reason, count }));
  }

  calibrationByStrategy(): Record<string, Calibration> {
    return calibrationOf(this.scoredForecasts());
  }

  /**
   * Each strategy's (and the ensemble's) last forecast while open on every narrative resolved TRUE or FALSE so far;
   * with `baselines`, also the crowd's share of backers and always-0.5 on the narratives the ensemble scored.
   */
  scoredForecasts(baselines = false): Array<{ strategy: string; pTrue: number; outcome: boolean }> {
    const rows: Array<{ strategy: string; pTrue: number; outcome: boolean }> = [];
    const ensemble = this.strategyIndex.get('ensemble') ?? -1;
    for (const [narrativeId, last] of this.lastOpen) {
      const outcome = this.outcomes.get(narrativeId);
      if (outcome !== 'true' && outcome !== 'false') continue;
      for (const k of last.order) rows.push({ strategy: this.strategyNames[k]!, pTrue: last.p[k]!, outcome: outcome === 'true' });
      if (!baselines || last.get(ensemble) === null) continue;
      const share = this.crowdShare.get(narrativeId);
      if (share !== undefined) rows.push({ strategy: CROWD_SHARE, pTrue: share, outcome: outcome === 'true' });
      rows.push({ strategy: ALWAYS_HALF, pTrue: 0.5, outcome: outcome === 'true' });
    }
    return rows;
  }

  /** The ensemble's last forecast while the narrative was open, or null (marks open positions to the model). */
  modelForecast(narrativeId: string): number | null {
    const k = this.strategyIndex.get('ensemble');
    return k === undefined ? null : (this.lastOpen.get(narrativeId)?.get(k) ?? null);
  }

  /** Open positions (stake per narrative), kept until the ledger changes. */
  openPositions(): ReadonlyArray<{ narrativeId: string; stakeLamports: bigint }> {
    const version = this.bookVersion();
    if (this.cachedOpen?.version !== version) {
      const rows = this.ledger.prepare(`SELECT narrative_id, SUM(stake_lamports) AS stake FROM backings
                                        WHERE dry_run = 1 AND outcome IS NULL AND state NOT IN ('failed', 'expired', 'cancelled') GROUP BY narrative_id`)
        .safeIntegers(true).all() as Array<{ narrative_id: string; stake: bigint }>;
      this.cachedOpen = { version, open: rows.map((r) => ({ narrativeId: r.narrative_id, stakeLamports: r.stake })) };
    }
    return this.cachedOpen.open;
  }

  /** Settled positions' P&L, stake and count by narrative category (the category recorded with the backing). */
  pnlByCategory(): Array<{ category: string; settled: number; won: number; stakedLamports: bigint; pnlLamports: bigint }> {
    const rows = this.ledger.prepare(`SELECT category, COUNT(*) AS n, SUM(outcome = 'true') AS won, SUM(stake_lamports) AS stake, SUM(pnl_lamports) AS pnl
                                      FROM backings WHERE dry_run = 1 AND outcome IS NOT NULL GROUP BY category ORDER BY category`)
      .safeIntegers(true).all() as Array<{ category: string; n: bigint; won: bigint; stake: bigint; pnl: bigint }>;
    return rows.map((r) => ({ category: r.category, settled: Number(r.n), won: Number(r.won), stakedLamports: r.stake, pnlLamports: r.pnl }));
  }

  /**
   * Kept until the ledger's book changes (the backtest reads it a few times a tick, for the virtual balance and the
   * drawdown): every write to a backing (the journal's, an outcome's) goes through the book.
   */
  private bookVersion(): number {
    return this.ledger.ledgerBook('dry-run').version;
  }

  pnlSummary(): PnlSummary {
    const version = this.bookVersion();
    if (this.cachedPnl?.version !== version) this.cachedPnl = { version, pnl: pnlSummary(this.ledger) };
    return this.cachedPnl.pnl;
  }

  close(): void {
    this.ledger.close();
  }
}

/**
 * One narrative's last forecast per strategy (by the store's strategy index), in the order the strategies first gave
 * one: a typed array written in place every tick, not a map given a new boxed number per strategy per tick.
 */
class LastForecasts {
  p = new Float64Array(4).fill(NaN);
  readonly order: number[] = [];

  set(k: number, pTrue: number): void {
    if (k >= this.p.length) {
      const grown = new Float64Array(Math.max(k + 1, this.p.length * 2)).fill(NaN);
      grown.set(this.p);
      this.p = grown;
    }
    if (Number.isNaN(this.p[k]!)) this.order.push(k);
    this.p[k] = pTrue;
  }

  get(k: number): number | null {
    const v = k >= 0 && k < this.p.length ? this.p[k]! : NaN;
    return Number.isNaN(v) ? null : v;
  }
}
