// A backtest is one more composition root: the same engine, strategies, sizing and dry-run executor as live, fed by
// a recording through replay adapters and a manual clock set to each poll's time. Nothing here decides anything.
import { ManualClock } from '../clock/manual-clock.js';
import type { Config } from '../config/schema.js';
import { calibrate, reliabilityBins, type Calibration, type ReliabilityBin } from '../core/calibration.js';
import { MagmaError, errorMessage, isMagmaError } from '../core/errors.js';
import { solToLamports } from '../core/money.js';
import { composeEngine, historyWindowMs, type ExecutorGuards } from '../app/compose-engine.js';
import { loadStrategies } from '../engine/load-strategies.js';
import { strategyPriceView } from '../engine/strategy-price-view.js';
import { journalingExecutor } from '../executor/create-executor.js';
import { SqliteJournal } from '../store/sqlite-journal.js';
import type { Logger } from '../log/logger.js';
import type { PnlSummary, RunSummary } from '../ports/read-model.js';
import { ALWAYS_HALF, CROWD_SHARE, ReplayStore } from '../store/replay-store.js';
import { DecisionFingerprint } from './decision-fingerprint.js';
import { describeSkipped, readOutcomes, requireFile, type RecordingStats } from './recording.js';
import { MAX_LINE_BYTES } from './recording-lines.js';
import { replayRecording, type RecordingReader } from './replay-recording.js';
import { ReplayApi, ReplayMagusAnswers, ReplayOutcomeSource, ReplayPriceSource, virtualChain } from './replay-adapters.js';
import { markToModel, SeriesSampler, type RunSeries } from './run-series.js';
import { magusSource } from '../magus/magus-source.js';
import type { EnsembleWeightsView } from '../core/learned-ensemble.js';
import { TruthFile } from './truth-file.js';
import { TruthScorer, type TruthScores } from './truth-scores.js';

export interface BacktestOptions {
  config: Config;
  recording: string;
  outcomes?: string;
  /** Bayes-optimal probabilities at each poll (`sim --truth`): every strategy is scored against them. */
  truth?: string;
  /** Only these strategies (names of config entries or built-ins). */
  strategies?: string[];
  bankrollSol: number;
  logger: Logger;
  /** Replay only polls at or before this time (the look-ahead check's truncated run, a walk-forward segment). */
  stopAtMs?: number;
  /**
   * Decide only from this time on (a walk-forward segment): earlier polls within the history window are observed
   * (the store's history, prices, resolved statuses) but not ticked, so strategies start with the history they would have.
   */
  startAtMs?: number;
  /** Take the run's metrics as they stand at each of these times (a walk-forward's in-sample windows). */
  checkpointsMs?: number[];
  /** Also fingerprint the decisions made at or before this time. */
  fingerprintUntilMs?: number;
  onProgress?: (p: { fraction: number; polls: number; t: number; backed: number }) => void;
  signal?: AbortSignal;
  /** The reader thread, started early (the backtest worker's); the replay ends it. Without one, the replay starts its own. */
  reader?: RecordingReader;
}

/** The figures a sweep compares runs by. */
export interface RunMetrics {
  /** Days between the first and the last poll decided on. */
  days: number;
  pnlLamports: bigint;
  settled: number;
  won: number;
  lost: number;
  backings: number;
  stakedLamports: bigint;
  /** The deepest fall of realised P&L below its running peak (lamports, ≥ 0). */
  maxDrawdownLamports: bigint;
  /** The ensemble's scores on the narratives resolved so far (null when none). */
  brier: number | null;
  logLoss: number | null;
  scored: number;
}

export interface BacktestResult {
  recording: RecordingStats;
  /** issue 14: Ctrl-C ended the replay before the recording's end; the figures cover what was replayed. */
  stoppedEarly: boolean;
  outcomeLines: number;
  failedTicks: number;
  strategies: string[];
  summary: RunSummary;
  pnl: PnlSummary;
  calibration: Record<string, Calibration>;
  /** The crowd's share of backers and always-0.5, scored on the narratives the ensemble was scored on. */
  baselines: Record<string, Calibration>;
  /** Per strategy (and the ensemble, and the baselines): forecasts in ten bins against how often they came TRUE. */
  reliability: Record<string, ReliabilityBin[]>;
  series: RunSeries;
  pnlByCategory: Array<{ category: string; settled: number; won: number; stakedLamports: bigint; pnlLamports: bigint }>;
  /** Every skip reason with its count, most common first. */
  skipReasons: Array<{ reason: string; count: number }>;
  metrics: RunMetrics;
  /** The metrics at each asked-for checkpoint (a time after the last poll gives the final figures). */
  checkpoints: Array<{ atMs: number; metrics: RunMetrics }>;
  /** The polls decided on (a segment's, without its warm-up). */
  decided: { polls: number; fromT: number | null; toT: number | null };
  bankrollLamports: bigint;
  /** What makes the result less than it looks (no outcomes, no prices). */
  warnings: string[];
  /** Feed items the live schemas refused (counted per poll). */
  droppedItems: number;
  /** The executor's guards (the same as dry-run and live build from the same config). */
  guards: ExecutorGuards;
  /** Every decision, in order (runs of equal skips as one record): equal fingerprints, equal decisions. */
  fingerprint: { sha256: string; records: number };
  /** The same over decisions made at or before `fingerprintUntilMs` (the look-ahead check), when asked for. */
  fingerprintBeforeCut?: { sha256: string; records: number };
  /** Scores against the outcome and the Bayes-optimal forecast at the same decision times (with `truth`). */
  truth?: TruthScores;
  /** The learning ensemble's weights at the end of the replay (null: nothing settled to learn from). */
  ensembleWeights: EnsembleWeightsView | null;
}

async function chooseStrategies(config: Config, names: string[] | undefined) {
  if (!names?.length) return loadStrategies(config.strategies);
  const entries = names.map((name) => config.strategies.find((e) => e.name === name) ?? { name, weight: 1, timeoutMs: 5_000, options: {} });
  return loadStrategies(entries);
}

export async function runBacktest(o: BacktestOptions): Promise<BacktestResult> {
  const size = requireFile(o.recording, 'recording');
  const recorded = o.outcomes ? (requireFile(o.outcomes, 'outcomes file'), await readOutcomes(o.outcomes)) : { outcomes: [], badLines: 0 };
  const truthFile = o.truth ? new TruthFile(o.truth) : null;
  const scorer = truthFile ? new TruthScorer() : null;
  const strategies = await chooseStrategies(o.config, o.strategies);
  const clock = new ManualClock(0);
  const fingerprint = new DecisionFingerprint();
  const beforeCut = new DecisionFingerprint(o.fingerprintUntilMs ?? Infinity);
  let lastAt = '';
  let lastAtMs = 0;
  const store = new ReplayStore({
    historyWindowMs: historyWindowMs(o.config, strategies),
    onDecision: (d, kind, at) => {
      // A tick's decisions share one time: parsed once.
      if (at !== lastAt) {
        lastAt = at;
        lastAtMs = Date.parse(at);
      }
      const atMs = lastAtMs;
      fingerprint.add(d, kind, atMs);
      if (o.fingerprintUntilMs !== undefined) beforeCut.add(d, kind, atMs);
    },
    ...(scorer ? { onOpinions: scorer.observe.bind(scorer) } : {}),
  });
  const replay = new ReplayApi();
  const prices = new ReplayPriceSource(clock);
  const magusAnswers = new ReplayMagusAnswers();
  // A truncated replay (the look-ahead check) must not know anything after its cut: outcomes included.
  const known = o.stopAtMs === undefined ? recorded.outcomes : recorded.outcomes.filter((x) => x.resolvedAt !== null && x.resolvedAt <= o.stopAtMs!);
  const outcomes = new ReplayOutcomeSource(clock, known);
  const bankroll = solToLamports(o.bankrollSol);
  const balance = () => {
    const p = store.pnlSummary();
    return bankroll - p.openLamports + p.pnlLamports;
  };
  // The same composition as live and dry-run: only the adapters are the recording's.
  const { engine, host, guards, payout } = composeEngine(o.config, strategies, {
    clock, api: replay, chain: virtualChain(balance), store, walletAddress: 'backtest', ensembleMemory: store,
    executor: journalingExecutor(new SqliteJournal(store.ledger), clock, o.logger),
    sources: {
      prices: strategyPriceView(prices, clock, o.logger, o.config.prices.maxAgeSeconds * 1000),
      // issue 17: the recording's Magus answers, replayed; a narrative without one goes on without Magus
      magus: magusSource(null, magusAnswers, clock),
    },
    outcomes,
  }, o.logger);

  const sampler = new SeriesSampler();
  const sample = (t: number, force = false) => {
    if (!force && !sampler.due(t)) return;
    const p = store.pnlSummary();
    const open = store.openPositions();
    sampler.add({ t, realisedLamports: p.pnlLamports, atStakeLamports: p.openLamports, openPositions: p.openPositions, openExpectedLamports: markToModel(open, (id) => store.modelForecast(id), payout) }, force);
  };
  // Drawdown is followed at every poll, not only at the sampled points.
  let peak = 0n;
  let maxDrawdown = 0n;
  const followDrawdown = () => {
    const pnl = store.pnlSummary().pnlLamports;
    if (pnl > peak) peak = pnl;
    if (peak - pnl > maxDrawdown) maxDrawdown = peak - pnl;
  };
  const decided = { polls: 0, fromT: null as number | null, toT: null as number | null };
  const metricsNow = (): RunMetrics => {
    const p = store.pnlSummary();
    const s = store.runSummary(0);
    const c = store.calibrationByStrategy().ensemble;
    return {
      days: decided.fromT === null || decided.toT === null ? 0 : (decided.toT - decided.fromT) / 86_400_000,
      pnlLamports: p.pnlLamports, settled: p.settled, won: p.won, lost: p.lost, backings: s.decisions.back, stakedLamports: s.stakedLamports,
      maxDrawdownLamports: maxDrawdown, brier: c?.brier ?? null, logLoss: c?.logLoss ?? null, scored: c?.n ?? 0,
    };
  };
  const pendingCheckpoints = [...(o.checkpointsMs ?? [])].sort((a, b) => a - b);
  const checkpoints: BacktestResult['checkpoints'] = [];
  const warmupFrom = o.startAtMs === undefined ? -Infinity : o.startAtMs - historyWindowMs(o.config, strategies);
  let failedTicks = 0;
  let backed = 0;
  let replayed = 0;
  let droppedItems = 0;
  let stoppedEarly = false;
  let stats: RecordingStats;
  try {
    stats = await replayRecording(o.recording, async (poll, bytesRead) => {
      // Ctrl-C ends the replay, and what was replayed so far is still reported.
      if (o.signal?.aborted) {
        stoppedEarly = true;
        return;
      }
      if (o.stopAtMs !== undefined && poll.t > o.stopAtMs) return 'stop';
      for (const [asset, t, price] of poll.prices) if (o.stopAtMs === undefined || t <= o.stopAtMs) prices.add(asset, { t, price });
      for (const answer of poll.magus) magusAnswers.add(answer);
      for (const n of poll.narratives) outcomes.observeStatus(n.id, n.oracleStatus, poll.t);
      if (o.startAtMs !== undefined && poll.t < o.startAtMs) {
        // Before a segment starts: observed through the store's port (history windows), never decided on.
        if (poll.t >= warmupFrom) {
          clock.set(poll.t);
          store.recordFeed(0, new Date(poll.t).toISOString(), poll.narratives.map((narrative) => ({ narrative, raw: null })));
        }
        return;
      }
      while (pendingCheckpoints.length && pendingCheckpoints[0]! < poll.t) checkpoints.push({ atMs: pendingCheckpoints.shift()!, metrics: metricsNow() });
      clock.set(poll.t);
      if (truthFile) scorer!.setPoll(truthFile.at(poll.t));
      replay.setPoll(poll.narratives, poll.dropped);
      droppedItems += poll.dropped.length;
      decided.polls++;
      decided.fromT ??= poll.t;
      decided.toT = poll.t;
      try {
        backed += (await engine.tick(o.signal)).backed.length;
      } catch (err) {
        if (isMagmaError(err, 'ABORTED') || o.signal?.aborted) {
          stoppedEarly = true;
          return;
        }
        failedTicks++;
        o.logger.warn('backtest.tick_failed', { t: new Date(poll.t).toISOString(), msg: errorMessage(err) });
      }
      followDrawdown();
      sample(poll.t);
      replayed++;
      o.onProgress?.({ fraction: size ? bytesRead / size : 1, polls: replayed, t: poll.t, backed });
    }, { ...(o.signal ? { signal: o.signal } : {}), ...(o.reader ? { reader: o.reader } : {}), ...(Number.isFinite(warmupFrom) ? { skipPollsBeforeMs: warmupFrom } : {}) });
  } catch (err) {
    await host.close();
    store.close();
    throw err;
  }
  await host.close();
  // Stopped before the first poll (Ctrl-C during start-up): an empty result that says so, not an empty recording.
  if (stats.polls === 0 && !o.signal?.aborted) {
    store.close();
    throw new MagmaError('USAGE', `${o.recording} holds no polls (${[...describeSkipped(stats)].join('; ') || 'it is empty'}).`, {
      hint: 'A recording is JSON Lines of {"t": ISO time, "narratives": [...]}: make one with `magma-agent export` or `magma-agent sim --record`.',
    });
  }
  // The recording is over: what resolved by its end settles, and outcomes without a time are revealed now.
  if (o.stopAtMs !== undefined) clock.set(Math.max(clock.now(), o.stopAtMs));
  outcomes.revealAll();
  await engine.settle();
  const p = store.pnlSummary();
  followDrawdown();
  if (decided.toT !== null) sample(Math.max(decided.toT, Math.min(clock.now(), o.stopAtMs ?? Infinity)), true);
  const metrics = metricsNow();
  for (const atMs of pendingCheckpoints) checkpoints.push({ atMs, metrics });
  const forecasts = store.scoredForecasts(true);
  const calibration = store.calibrationByStrategy();
  const baselineRows = forecasts.filter((f) => f.strategy === CROWD_SHARE || f.strategy === ALWAYS_HALF);
  const baselines = Object.fromEntries([CROWD_SHARE, ALWAYS_HALF].map((name) => [name, calibrate(baselineRows.filter((f) => f.strategy === name))]));
  const byStrategy = new Map<string, Array<{ pTrue: number; outcome: boolean }>>();
  for (const f of forecasts) {
    if (!byStrategy.has(f.strategy)) byStrategy.set(f.strategy, []);
    byStrategy.get(f.strategy)!.push(f);
  }
  const reliability = Object.fromEntries([...byStrategy].map(([name, list]) => [name, reliabilityBins(list)]));

  const warnings: string[] = [...describeSkipped(stats)];
  const truth = scorer ? scorer.result((id) => outcomes.outcomeOf(id)) : undefined;
  if (truthFile) {
    try {
      truthFile.check();
    } catch (err) {
      store.close();
      throw err;
    }
    if (truth!.pollsWithoutTruth) warnings.push(`${truth!.pollsWithoutTruth} poll(s) had no line in the truth file (is it the one written beside this recording?): their forecasts were not scored against it`);
    if (truthFile.badLines) warnings.push(`${truthFile.badLines} line(s) of the truth file were unreadable and skipped`);
  }
  if (droppedItems) warnings.push(`${droppedItems} feed item(s) failed the feed's schema and were dropped (run with --log-level warn to see why)`);
  if (failedTicks) warnings.push(`${failedTicks} poll(s) failed their tick and were not decided on (backtest.tick_failed in the log says why)`);
  if (recorded.badLines) warnings.push(`${recorded.badLines} line(s) of the outcomes file were unreadable (not JSON, no "narrative_id", an "outcome" other than true, false or refund, or over ${MAX_LINE_BYTES / 2 ** 20} MiB) and were skipped`);
  if (outcomes.size === 0) {
    warnings.push(`no outcomes: ${o.outcomes ? 'nothing usable in the outcomes file' : 'no --outcomes file'} and no resolved statuses in the recording, so no position can settle and P&L stays 0. Give --outcomes FILE (\`sim --outcomes\`, or \`export --outcomes\` from a live run).`);
  }
  if (prices.assets === 0 && strategies.some((s) => s.strategy.name === 'price-threshold')) {
    warnings.push('no price lines in the recording: price-threshold had nothing to read and gave no opinion.');
  }
  const digest = fingerprint.digest();
  if (o.signal?.aborted) stoppedEarly = true;
  if (stoppedEarly) warnings.push(`stopped early (Ctrl-C) after ${replayed} polls: these figures cover only that part of the recording.`); // issue 14
  const summary = store.runSummary(20);
  const pnlByCategory = store.pnlByCategory();
  const skipReasons = store.skipReasonCounts();
  const ensembleWeights = store.ensembleWeights();
  store.close();
  return {
    recording: stats,
    stoppedEarly, // issue 14
    warnings,
    droppedItems,
    outcomeLines: recorded.outcomes.length,
    failedTicks,
    strategies: strategies.map((s) => s.strategy.name),
    summary,
    pnl: p,
    calibration,
    baselines,
    reliability,
    series: sampler.series,
    pnlByCategory,
    skipReasons,
    metrics,
    checkpoints,
    decided,
    bankrollLamports: bankroll,
    fingerprint: digest,
    guards,
    ...(o.fingerprintUntilMs !== undefined ? { fingerprintBeforeCut: beforeCut.digest() } : {}),
    ...(truth ? { truth } : {}),
    ensembleWeights,
  };
}
