// `magma-agent pause [--reason TEXT]` / `resume`: stop and restart new backings and verdicts. A running daemon
// applies it at its next tick (the file is read each tick); in-flight backings finish and monitoring goes on.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { ensureDataDir } from '../../fs/data-dir.js';
import { clearPause, pausePath, readPause, writePause } from '../../ops/pause.js';
import { loadRuntime, type GlobalOptions } from '../runtime.js';

export function registerPause(program: Command): void {
  program
    .command('pause')
    .description('stop new backings and verdicts (persisted; in-flight ones finish, monitoring goes on) until `resume`')
    .option('--reason <text>', 'why, shown by status, metrics and alerts')
    .action((_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { reason?: string }>();
      const { config } = loadRuntime(opts);
      const dir = ensureDataDir(resolve(config.dataDir));
      const before = readPause(dir);
      const p = writePause(dir, opts.reason ?? null);
      process.stdout.write(`${before ? 'still paused (reason updated)' : 'paused'}${p.reason ? `: ${p.reason}` : ''}\n`
        + `No new backings or verdicts from the agent's next tick; backings in flight finish and monitoring goes on.\n`
        + `Recorded in ${pausePath(dir)}. Lift it with \`magma-agent resume\`.\n`);
    });
  program
    .command('resume')
    .description('lift a pause: new backings and verdicts from the next tick')
    .action((_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const { config } = loadRuntime(opts);
      const dir = resolve(config.dataDir);
      process.stdout.write(clearPause(dir) ? 'resumed: new backings and verdicts from the next tick\n' : 'not paused: nothing to do\n');
    });
}
