// A backtest is one more composition root: the same engine, strategies, sizing and dry-run executor as live, fed by
// a recording through replay adapters and a manual clock set to each poll's time. Nothing here decides anything.
import { createHash } from 'node:crypto';
import { ManualClock } from '../clock/manual-clock.js';
import type { Config } from '../config/schema.js';
import type { Calibration } from '../core/calibration.js';
import { MagmaError, errorMessage } from '../core/errors.js';
import { solToLamports } from '../core/money.js';
import { payoutModel } from '../core/payout.js';
import { riskLimits } from '../core/risk.js';
import { Engine } from '../engine/engine.js';
import { loadStrategies } from '../engine/load-strategies.js';
import { StrategyHost } from '../engine/strategy-host.js';
import { strategyPriceView } from '../engine/strategy-price-view.js';
import { DryRunExecutor } from '../executor/dry-run-executor.js';
import type { Logger } from '../log/logger.js';
import { calibrationByStrategy, pnlSummary, type PnlSummary } from '../report/calibration-report.js';
import { runSummary, type RunSummary } from '../report/run-summary.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { readOutcomes, readRecording, requireFile, type RecordingStats } from './recording.js';
import { ReplayApi, ReplayOutcomeSource, ReplayPriceSource, virtualChain } from './replay-adapters.js';

export interface BacktestOptions {
  config: Config;
  recording: string;
  outcomes?: string;
  /** Only these strategies (names of config entries or built-ins). */
  strategies?: string[];
  bankrollSol: number;
  logger: Logger;
  /** Replay only polls at or before this time (the look-ahead check's truncated run). */
  stopAtMs?: number;
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
  /** SHA-256 of every decision made at or before `until`, in order (for the look-ahead check). */
  decisionDigest(until: string): string;
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
  const strategies = await chooseStrategies(o.config, o.strategies);
  const clock = new ManualClock(0);
  const store = SqliteStore.open(':memory:');
  const replay = new ReplayApi();
  const prices = new ReplayPriceSource(clock);
  // A truncated replay (the look-ahead check) must not know anything after its cut: outcomes included.
  const known = o.stopAtMs === undefined ? recorded.outcomes : recorded.outcomes.filter((x) => x.resolvedAt !== null && x.resolvedAt <= o.stopAtMs!);
  const outcomes = new ReplayOutcomeSource(clock, known);
  const bankroll = solToLamports(o.bankrollSol);
  const executor = new DryRunExecutor(store, clock);
  const balance = () => {
    const p = pnlSummary(store, true);
    return bankroll - p.openLamports + p.pnlLamports;
  };
  const engine = new Engine({
    clock, api: replay.api(), chain: virtualChain(balance), executor, store, host: new StrategyHost(strategies), walletAddress: 'backtest',
    limits: riskLimits(o.config.risk),
    payout: payoutModel(o.config.payout.rule, {
      ...(o.config.payout.trueGainRate !== undefined ? { trueGainRate: o.config.payout.trueGainRate } : {}),
      ...(o.config.payout.trueFeeRate !== undefined ? { trueFeeRate: o.config.payout.trueFeeRate } : {}),
      ...(o.config.payout.falseLossRate !== undefined ? { falseLossRate: o.config.payout.falseLossRate } : {}),
    }),
    resolution: o.config.resolution,
    logger: o.logger,
    sources: { prices: strategyPriceView(prices, clock, o.logger, o.config.prices.maxAgeSeconds * 1000) },
    outcomes,
  });

  const equity: EquityPoint[] = [];
  let failedTicks = 0;
  let backed = 0;
  let lastSample = -Infinity;
  let replayed = 0;
  let stoppedEarly = false;
  const stats = await readRecording(o.recording, async (poll, bytesRead) => {
    // issue 14: Ctrl-C ends the replay, and the result (what was replayed so far) is still reported
    if (o.signal?.aborted) {
      stoppedEarly = true;
      return;
    }
    if (o.stopAtMs !== undefined && poll.t > o.stopAtMs) return;
    clock.set(poll.t);
    replay.setPoll(poll.narratives);
    for (const item of poll.narratives) {
      const n = item as { id?: unknown; oracle_status?: unknown };
      if (typeof n?.id === 'string' && typeof n.oracle_status === 'string') outcomes.observeStatus(n.id, n.oracle_status, poll.t);
    }
    try {
      backed += (await engine.tick(o.signal)).backed.length;
    } catch (err) {
      failedTicks++;
      o.logger.warn('backtest.tick_failed', { t: new Date(poll.t).toISOString(), msg: errorMessage(err) });
    }
    if (poll.t - lastSample >= 3_600_000) {
      const p = pnlSummary(store, true);
      equity.push({ t: new Date(poll.t).toISOString(), realisedLamports: p.pnlLamports, atStakeLamports: p.openLamports });
      lastSample = poll.t;
    }
    replayed++;
    o.onProgress?.({ fraction: size ? bytesRead / size : 1, polls: replayed, t: poll.t, backed });
  }, (asset, point) => {
    if (o.stopAtMs === undefined || point.t <= o.stopAtMs) prices.add(asset, point);
  });
  if (stats.polls === 0) {
    throw new MagmaError('USAGE', `${o.recording} holds no polls (${stats.badLines} unreadable lines).`, {
      hint: 'A recording is JSON Lines of {"t": ISO time, "narratives": [...]}: make one with `magma-agent export` or `magma-agent sim --record`.',
    });
  }
  // The recording is over: what resolved by its end settles, and outcomes without a time are revealed now.
  if (o.stopAtMs !== undefined) clock.set(Math.max(clock.now(), o.stopAtMs));
  outcomes.revealAll();
  await engine.settle();
  const p = pnlSummary(store, true);
  if (stats.lastT !== null) equity.push({ t: new Date(Math.min(stats.lastT, o.stopAtMs ?? Infinity)).toISOString(), realisedLamports: p.pnlLamports, atStakeLamports: p.openLamports });

  const warnings: string[] = [];
  if (outcomes.size === 0) {
    warnings.push('no outcomes: no --outcomes file and no resolved statuses in the recording, so no position can settle and P&L stays 0. Give --outcomes FILE (`sim --outcomes`, or `export --outcomes` from a live run).');
  }
  if (prices.assets === 0 && strategies.some((s) => s.strategy.name === 'price-threshold')) {
    warnings.push('no price lines in the recording: price-threshold had nothing to read and gave no opinion.');
  }

  if (stoppedEarly) warnings.push(`stopped early (Ctrl-C) after ${replayed} polls: these figures cover only that part of the recording.`); // issue 14
  return {
    recording: stats,
    stoppedEarly, // issue 14
    warnings,
    outcomeLines: recorded.outcomes.length,
    failedTicks,
    strategies: strategies.map((s) => s.strategy.name),
    summary: runSummary(store, 20),
    pnl: p,
    calibration: calibrationByStrategy(store),
    equity,
    bankrollLamports: bankroll,
    decisionDigest(until: string) {
      const rows = store.db.prepare(`SELECT narrative_id, kind, action, stake_lamports, ROUND(p_true, 9) AS p, reasons_json FROM decisions WHERE created_at <= ? ORDER BY id`)
        .safeIntegers(true).all(until);
      return createHash('sha256').update(JSON.stringify(rows, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).digest('hex');
    },
    close: () => store.close(),
  };
}
