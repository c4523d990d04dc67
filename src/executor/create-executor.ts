// The executor of dry-run and backtest, as a factory the one composition (src/app/compose-engine.ts) calls with the
// guards every mode shares: it journals what live would send (live's factory is sending-executor.ts).
import type { ExecutorGuards } from '../app/compose-engine.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../ports/clock.js';
import type { Executor } from '../ports/executor.js';
import type { Journal } from '../ports/journal.js';
import { DryRunExecutor } from './dry-run-executor.js';

export function journalingExecutor(journal: Journal, clock: Clock, logger: Logger): (guards: ExecutorGuards) => Executor {
  return (g) => new DryRunExecutor({ journal, clock, logger, limits: g.limits, resolution: g.resolution, maxPerMinute: g.maxPerMinute, holds: g.holds });
}

