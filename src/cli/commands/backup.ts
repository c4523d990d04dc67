// `magma-agent backup`: an online, consistent copy of the database (SQLite's backup API), safe while the daemon runs.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { databasePath } from '../../app/agent.js';
import { MagmaError } from '../../core/errors.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { loadRuntime, type GlobalOptions } from '../runtime.js';

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('write an online, consistent copy of the database (safe while the daemon runs)')
    .requiredOption('--out <file>', 'where to write the copy (must not exist)')
    .option('--dry-run', 'back up the dry-run database instead of the live one')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { out: string }>();
      const { config } = loadRuntime(opts);
      const path = databasePath(config);
      const out = resolve(opts.out);
      if (!existsSync(path)) throw new MagmaError('STORE_FAILED', `no database at ${path}.`, { hint: 'Point --data-dir at the agent\'s data directory (add --dry-run for the dry-run database).' });
      if (!existsSync(dirname(out))) throw new MagmaError('USAGE', `the folder ${dirname(out)} does not exist.`, { hint: 'Create it first, or choose another --out path.' });
      if (existsSync(out)) throw new MagmaError('STORE_FAILED', `${out} already exists; refusing to overwrite it.`, { hint: 'Choose a new --out path.' });
      const store = SqliteStore.open(path);
      try {
        await store.db.backup(out);
      } finally {
        store.close();
      }
      const copy = SqliteStore.open(out);
      try {
        const integrity = copy.integrityCheck();
        if (integrity !== 'ok') throw new MagmaError('STORE_FAILED', `the copy at ${out} fails integrity_check: ${integrity}.`, { hint: 'Check the disk, then try again.' });
      } finally {
        copy.close();
      }
      process.stdout.write(`backed up ${path} to ${out} (integrity ok)\n`);
    });
}
