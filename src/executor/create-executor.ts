// Chooses the executor for the mode: live signs and sends (config.dryRun false), dry-run only journals. Both write
// the same journal, with the same executor-side risk limits.
import type { Keypair } from '@solana/web3.js';
import type { Config } from '../config/schema.js';
import { riskLimits } from '../core/risk.js';
import type { Logger } from '../log/logger.js';
import type { TransactionChain } from '../ports/chain.js';
import { startOfUtcDay, type Clock } from '../ports/clock.js';
import type { Executor } from '../ports/executor.js';
import type { MagmaApi } from '../ports/magma-api.js';
import { SqliteJournal } from '../store/sqlite-journal.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { DryRunExecutor } from './dry-run-executor.js';
import { LiveExecutor } from './live-executor.js';

export interface CreateExecutorOptions {
  config: Config;
  store: SqliteStore;
  chain: TransactionChain;
  api: MagmaApi;
  clock: Clock;
  logger: Logger;
  keypair: Keypair;
}

export function createExecutor(o: CreateExecutorOptions): Executor {
  const { config, store, clock } = o;
  const journal = new SqliteJournal(store);
  const limits = riskLimits(config.risk);
  const holds = (dryRun: boolean) => (narrativeId: string) => store.ledgerView(dryRun, startOfUtcDay(clock.now())).heldNarratives.has(narrativeId);
  if (config.dryRun) {
    return new DryRunExecutor({ journal, clock, limits, resolution: config.resolution, maxPerMinute: config.backing.maxPerMinute, logger: o.logger, holds: holds(true) });
  }
  return new LiveExecutor({
    journal, chain: o.chain, api: o.api, clock, logger: o.logger, keypair: o.keypair, limits, resolution: config.resolution,
    backing: config.backing, holds: holds(false),
  });
}
