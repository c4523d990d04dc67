// The live executor, as a factory the one composition (src/app/compose-engine.ts) calls with the guards every mode
// shares: it signs, sends, confirms and reports. Apart from the dry-run factory so that a backtest never loads the
// Solana client.
import type { Keypair } from '@solana/web3.js';
import type { ExecutorGuards } from '../app/compose-engine.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { TransactionChain } from '../ports/chain.js';
import type { Clock } from '../ports/clock.js';
import type { Executor } from '../ports/executor.js';
import type { Journal } from '../ports/journal.js';
import type { MagmaApi } from '../ports/magma-api.js';
import { LiveExecutor } from './live-executor.js';

export interface LiveParts {
  config: Config;
  journal: Journal;
  chain: TransactionChain;
  api: MagmaApi;
  clock: Clock;
  logger: Logger;
  keypair: Keypair;
}

export function sendingExecutor(p: LiveParts): (guards: ExecutorGuards) => Executor {
  return (g) => new LiveExecutor({
    journal: p.journal, chain: p.chain, api: p.api, clock: p.clock, logger: p.logger, keypair: p.keypair, limits: g.limits, resolution: g.resolution,
    backing: { ...p.config.backing, maxPerMinute: g.maxPerMinute }, holds: g.holds,
  });
}
