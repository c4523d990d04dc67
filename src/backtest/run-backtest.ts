// A backtest is one more composition root: the same engine, strategies, sizing and dry-run executor as live, fed by
// a recording through replay adapters and a manual clock set to each poll's time. Nothing here decides anything.
import { ManualClock } from '../clock/manual-clock.js';
import type { Config } from '../config/schema.js';
import type { Calibration } from '../core/calibration.js';
import { MagmaError, errorMessage, isMagmaError } from '../core/errors.js';
import { solToLamports } from '../core/money.js';
import { composeEngine, historyWindowMs, type ExecutorGuards } from '../app/compose-engine.js';
import { loadStrategies } from '../engine/load-strategies.js';
import { strategyPriceView } from '../engine/strategy-price-view.js';
import { journalingExecutor } from '../executor/create-executor.js';
import { SqliteJournal } from '../store/sqlite-journal.js';
import type { Logger } from '../log/logger.js';
import type { PnlSummary, RunSummary } from '../ports/read-model.js';
import { ReplayStore } from '../store/replay-store.js';
import { DecisionFingerprint } from './decision-fingerprint.js';
import { describeSkipped, readOutcomes, requireFile, type RecordingStats } from './recording.js';
import { replayRecording } from './replay-recording.js';
import { ReplayApi, ReplayMagusAnswers, ReplayOutcomeSource, ReplayPriceSource, virtualChain } from './replay-adapters.js';
import { cachedJudge } from '../magus/create-magus.js';
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
  /** Replay only polls at or before this time (the look-ahead check's truncated run). */
  stopAtMs?: number;
  /** Also fingerprint the decisions made at or before this time. */
  fingerprintUntilMs?: number;
  onProgress?: (p: { fraction: number; polls: number; t: number; backed: number }) => void;
  signal?: AbortSignal;
}

export interface EquityPoint {
  t: string;
  realisedLamports: bigint;
  atStakeLamports: bigint;
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
  equity: EquityPoint[];
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
  close(): void;
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
  const store = new ReplayStore({
    historyWindowMs: historyWindowMs(o.config, strategies),
    onDecision: (d, kind, at) => {
      const atMs = Date.parse(at);
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
  const { engine, host, guards } = composeEngine(o.config, strategies, {
    clock, api: replay, chain: virtualChain(balance), store, walletAddress: 'backtest', ensembleMemory: store,
    executor: journalingExecutor(new SqliteJournal(store.ledger), clock, o.logger),
    sources: {
      prices: strategyPriceView(prices, clock, o.logger, o.config.prices.maxAgeSeconds * 1000),
      // issue 17: the recording's Magus answers, replayed; a narrative without one goes on without Magus
      magus: cachedJudge(magusAnswers, clock, null),
    },
    outcomes,
  }, o.logger);

  const equity: EquityPoint[] = [];
  let failedTicks = 0;
  let backed = 0;
  let lastSample = -Infinity;
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
      if (o.stopAtMs !== undefined && poll.t > o.stopAtMs) return;
      for (const [asset, t, price] of poll.prices) if (o.stopAtMs === undefined || t <= o.stopAtMs) prices.add(asset, { t, price });
      for (const answer of poll.magus) magusAnswers.add(answer);
      clock.set(poll.t);
      if (truthFile) scorer!.setPoll(truthFile.at(poll.t));
      replay.setPoll(poll.narratives, poll.dropped);
      droppedItems += poll.dropped.length;
      for (const n of poll.narratives) outcomes.observeStatus(n.id, n.oracleStatus, poll.t);
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
      if (poll.t - lastSample >= 3_600_000) {
        const p = store.pnlSummary();
        equity.push({ t: new Date(poll.t).toISOString(), realisedLamports: p.pnlLamports, atStakeLamports: p.openLamports });
        lastSample = poll.t;
      }
      replayed++;
      o.onProgress?.({ fraction: size ? bytesRead / size : 1, polls: replayed, t: poll.t, backed });
    }, { ...(o.signal ? { signal: o.signal } : {}) });
  } catch (err) {
    await host.close();
    store.close();
    throw err;
  }
  await host.close();
  if (stats.polls === 0) {
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
  if (stats.lastT !== null) equity.push({ t: new Date(Math.min(stats.lastT, o.stopAtMs ?? Infinity)).toISOString(), realisedLamports: p.pnlLamports, atStakeLamports: p.openLamports });

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
  if (outcomes.size === 0) {
    warnings.push('no outcomes: no --outcomes file and no resolved statuses in the recording, so no position can settle and P&L stays 0. Give --outcomes FILE (`sim --outcomes`, or `export --outcomes` from a live run).');
  }
  if (prices.assets === 0 && strategies.some((s) => s.strategy.name === 'price-threshold')) {
    warnings.push('no price lines in the recording: price-threshold had nothing to read and gave no opinion.');
  }
  const digest = fingerprint.digest();
  if (o.signal?.aborted) stoppedEarly = true;
  if (stoppedEarly) warnings.push(`stopped early (Ctrl-C) after ${replayed} polls: these figures cover only that part of the recording.`); // issue 14
  return {
    recording: stats,
    stoppedEarly, // issue 14
    warnings,
    droppedItems,
    outcomeLines: recorded.outcomes.length,
    failedTicks,
    strategies: strategies.map((s) => s.strategy.name),
    summary: store.runSummary(20),
    pnl: p,
    calibration: store.calibrationByStrategy(),
    equity,
    bankrollLamports: bankroll,
    fingerprint: digest,
    guards,
    ...(o.fingerprintUntilMs !== undefined ? { fingerprintBeforeCut: beforeCut.digest() } : {}),
    ...(truth ? { truth } : {}),
    ensembleWeights: store.ensembleWeights(),
    close: () => store.close(),
  };
}
