// Which ledger a configuration runs on: dry-run (decisions journaled, nothing sent; a database of its own) or live.
// The one place outside the composition (src/app) that reads the dry-run setting: everything else is handed the
// ledger its store and journal are bound to, or the adapters the composition chose for it.
import type { Ledger } from '../ports/store.js';
import type { Config } from './schema.js';

export function ledgerOf(config: Pick<Config, 'dryRun'>): Ledger {
  return config.dryRun ? 'dry-run' : 'live';
}

/** The configuration flags that put a command on `ledger` (the demo, which never sends). */
export function ledgerFlags(ledger: Ledger): { dryRun: boolean } {
  return { dryRun: ledger === 'dry-run' };
}

/** The global command-line options every command takes (`--dry-run` included), as commander parses them. */
export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  logLevel?: string;
  logFormat?: string;
  dryRun?: boolean;
}

/** The configuration flags the global options set (flags beat environment, file and defaults). */
export function globalFlags(opts: GlobalOptions): { dataDir: string | undefined; 'log.level': string | undefined; 'log.format': string | undefined; dryRun: true | undefined } {
  return { dataDir: opts.dataDir, 'log.level': opts.logLevel, 'log.format': opts.logFormat, dryRun: opts.dryRun ? true : undefined };
}
