// `magma-agent export`: the recorded feed as a JSON Lines recording, the input of backtests.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { databasePath } from '../../app/agent.js';
import { MagmaError } from '../../core/errors.js';
import { exportOutcomes, exportRecording } from '../../report/export-recording.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { ledgerOf } from '../../config/ledger.js';
import { loadRuntime, type GlobalOptions } from '../runtime.js';

function isoOption(name: string) {
  return (value: string) => {
    const ms = Date.parse(value);
    if (!Number.isFinite(ms)) throw new MagmaError('USAGE', `${name} "${value}" is not a date.`, { hint: `Give an ISO time, e.g. ${name} 2026-05-01T00:00:00Z.` });
    return new Date(ms).toISOString();
  };
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write the recorded feed as a JSON Lines recording (one poll a line), for backtests')
    .requiredOption('--out <file>', 'the recording to write (.jsonl)')
    .option('--since <iso>', 'first poll to include', isoOption('--since'))
    .option('--until <iso>', 'last poll to include', isoOption('--until'))
    .option('--outcomes <file>', 'also write the outcomes the agent learned (JSON Lines), for backtests')
    .option('--dry-run', 'export the dry-run database instead of the live one')
    .option('--force', 'overwrite --out (and --outcomes) if they exist')
    .action((_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { out: string; outcomes?: string; since?: string; until?: string; force?: boolean }>();
      if (opts.outcomes && resolve(opts.outcomes) === resolve(opts.out)) {
        // the outcomes would replace the recording just written
        throw new MagmaError('USAGE', `--outcomes names the same file as --out (${resolve(opts.out)}).`, { hint: 'Give the outcomes a file of their own, e.g. --outcomes outcomes.jsonl.' });
      }
      for (const file of [opts.out, opts.outcomes]) {
        if (file && !opts.force && existsSync(resolve(file))) {
          throw new MagmaError('USAGE', `${resolve(file)} already exists; refusing to overwrite it.`, { hint: 'Choose another file, or add --force to replace it.' });
        }
      }
      const { config } = loadRuntime(opts);
      const path = databasePath(config);
      if (!existsSync(path)) {
        throw new MagmaError('STORE_FAILED', `no database at ${path}.`, { hint: 'Run the agent first (magma-agent run), or point --data-dir at its data directory; add --dry-run for the dry-run database.' });
      }
      const store = SqliteStore.open(path);
      try {
        const out = resolve(opts.out);
        const r = exportRecording(store, out, { ...(opts.since ? { since: opts.since } : {}), ...(opts.until ? { until: opts.until } : {}) });
        process.stdout.write(`wrote ${r.polls} polls (${(r.bytes / 1024).toFixed(1)} KiB) to ${out}\n`);
        if (r.polls === 0) process.stdout.write(`no polls recorded in ${path}${ledgerOf(config) === 'dry-run' ? '' : '; for a dry-run database add --dry-run'}\n`);
        if (opts.outcomes) {
          const n = exportOutcomes(store, resolve(opts.outcomes));
          process.stdout.write(`wrote ${n} outcomes to ${resolve(opts.outcomes)}\n`);
        }
      } finally {
        store.close();
      }
    });
}
