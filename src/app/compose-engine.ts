// The one composition every mode goes through (live, dry-run, --sim, demo, backtest): it builds the engine, the
// strategy host and the executor's guard stack from the config, and plugs in the adapters the mode supplies. Modes
// differ only in those adapters (clock, read API, chain, store bound to a ledger, outcome source, the executor for
// that mode); the guards are built here, once, for all of them, so a backtest limits stakes exactly as a dry-run of
// the same feed does.
import type { Config } from '../config/schema.js';
import type { ResolutionPolicy } from '../core/decide-resolution.js';
import { payoutModel, type PayoutModel } from '../core/payout.js';
import { dailyWindowStart, riskLimits, type RiskLimits } from '../core/risk.js';
import type { StrategySources } from '../core/strategy.js';
import { Engine } from '../engine/engine.js';
import type { LoadedStrategy } from '../engine/load-strategies.js';
import { StrategyHost } from '../engine/strategy-host.js';
import type { Logger } from '../log/logger.js';
import type { Chain } from '../ports/chain.js';
import type { Clock } from '../ports/clock.js';
import type { Executor } from '../ports/executor.js';
import type { MagmaReadApi } from '../ports/magma-api.js';
import type { EnsembleMemory } from '../ports/ensemble-memory.js';
import type { OutcomeSource } from '../ports/outcome-source.js';
import type { Store } from '../ports/store.js';

/** What the executor of every mode enforces on its own, whatever the engine decided. */
export interface ExecutorGuards {
  limits: RiskLimits;
  /** Backings per minute per wallet (backing.maxPerMinute). */
  maxPerMinute: number;
  resolution: ResolutionPolicy;
  /** Whether the ledger holds a position in a narrative (no verdict on those unless allowed). */
  holds: (narrativeId: string) => boolean;
}

export interface ModeAdapters {
  clock: Clock;
  api: MagmaReadApi;
  chain: Chain;
  /** Bound to the mode's ledger. */
  store: Store;
  /** The mode's executor, given the guards every mode shares. */
  executor: (guards: ExecutorGuards) => Executor;
  walletAddress: string;
  sources: StrategySources;
  outcomes?: OutcomeSource;
  /** Backing reports left in the client's per-wallet rate budget (modes that send reports). */
  backingBudget?: () => number | null;
  /** Why new backings and verdicts are paused by the operator (`magma-agent pause`), or null. */
  paused?: () => string | null;
  /** issue 17: where the learning ensemble keeps its samples and weights (the mode's store). */
  ensembleMemory?: EnsembleMemory;
}

export interface ComposedEngine {
  engine: Engine;
  host: StrategyHost;
  executor: Executor;
  guards: ExecutorGuards;
  payout: PayoutModel;
}

/**
 * How much history per narrative the store keeps in memory: what the configured strategies read (each says, or gets
 * store.historyHours), at least an hour.
 */
export function historyWindowMs(config: Config, strategies: readonly LoadedStrategy[]): number {
  let hours = 1;
  for (const s of strategies) {
    let h = config.store.historyHours;
    try {
      const declared = s.strategy.historyHours?.(s.options);
      if (typeof declared === 'number' && Number.isFinite(declared) && declared >= 0) h = Math.min(declared, 720);
    } catch {
      // a plug-in whose declaration throws gets the configured window
    }
    hours = Math.max(hours, h);
  }
  return hours * 3_600_000;
}

/** The payout rule of the config, with any rate it overrides. */
export function payoutFromConfig(payout: Config['payout']): PayoutModel {
  return payoutModel(payout.rule, {
    ...(payout.trueGainRate !== undefined ? { trueGainRate: payout.trueGainRate } : {}),
    ...(payout.trueFeeRate !== undefined ? { trueFeeRate: payout.trueFeeRate } : {}),
    ...(payout.falseLossRate !== undefined ? { falseLossRate: payout.falseLossRate } : {}),
  });
}

export function composeEngine(config: Config, strategies: readonly LoadedStrategy[], a: ModeAdapters, logger: Logger): ComposedEngine {
  const guards: ExecutorGuards = {
    limits: riskLimits(config.risk),
    maxPerMinute: config.backing.maxPerMinute,
    resolution: config.resolution,
    holds: (narrativeId) => a.store.portfolioView(dailyWindowStart(a.clock.now())).heldNarratives.has(narrativeId),
  };
  const executor = a.executor(guards);
  const host = new StrategyHost(strategies, a.ensembleMemory ?? null);
  const payout = payoutFromConfig(config.payout);
  const engine = new Engine({
    clock: a.clock, api: a.api, chain: a.chain, executor, store: a.store, host, walletAddress: a.walletAddress,
    limits: guards.limits, payout, resolution: guards.resolution, logger, sources: a.sources,
    ...(a.outcomes ? { outcomes: a.outcomes } : {}),
    ...(a.backingBudget ? { backingBudget: a.backingBudget } : {}),
    ...(a.paused ? { paused: a.paused } : {}),
  });
  return { engine, host, executor, guards, payout };
}
