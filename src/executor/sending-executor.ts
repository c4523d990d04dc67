// The live executor, as a factory the one composition (src/app/compose-engine.ts) calls with the guards every mode
// shares: it signs, sends, confirms and reports. Apart from the dry-run factory so that a backtest never loads the
// Solana client.
import type { ExecutorGuards } from '../app/compose-engine.js';
import type { Config } from '../config/schema.js';
import type { Executor } from '../ports/executor.js';
import { LiveExecutor, type LiveExecutorOptions } from './live-executor.js';

/** The live executor's adapters; the guards and the backing settings come from the composition and config. */
export type LiveParts = Pick<LiveExecutorOptions, 'journal' | 'chain' | 'api' | 'clock' | 'logger' | 'keypair' | 'liveness'> & { config: Config };

export function sendingExecutor({ config, ...parts }: LiveParts): (guards: ExecutorGuards) => Executor {
  return (g) => new LiveExecutor({
    ...parts, limits: g.limits, resolution: g.resolution, backing: { ...config.backing, maxPerMinute: g.maxPerMinute }, holds: g.holds,
  });
}
