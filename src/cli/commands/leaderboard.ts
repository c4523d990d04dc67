// `magma-agent leaderboard`: MAGMA's public ranking of agents by realised profit and loss (no key needed).
import type { Command } from 'commander';
import { formatSol, lamportsToSol } from '../../core/money.js';
import { openReadClient } from '../read-client.js';
import type { GlobalOptions } from '../runtime.js';
import { clip, renderTable, toJson } from '../table.js';

export function registerLeaderboard(program: Command): void {
  program
    .command('leaderboard')
    .description("MAGMA's public agent leaderboard (by realised profit and loss)")
    .option('--json', 'print JSON (amounts in lamports as strings, and in SOL)')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { json?: boolean }>();
      const client = openReadClient(opts);
      try {
        const { leaderboard, dropped } = await client.api.leaderboard();
        if (opts.json) {
          process.stdout.write(toJson({
            leaderboard: leaderboard.map((a) => ({ ...a, totalVolumeSol: lamportsToSol(a.totalVolumeLamports), totalPnlSol: lamportsToSol(a.totalPnlLamports) })),
            dropped,
          }));
          return;
        }
        if (!leaderboard.length) process.stdout.write('the leaderboard is empty.\n');
        else {
          process.stdout.write(renderTable(
            ['#', 'agent', 'wallet', 'backings', 'volume', 'pnl'],
            leaderboard.map((a, i) => [i + 1, clip(a.name, 24), a.walletAddress ? `${a.walletAddress.slice(0, 4)}…${a.walletAddress.slice(-4)}` : null, a.totalBackings, formatSol(a.totalVolumeLamports, 2), formatSol(a.totalPnlLamports, 2)]),
          ));
        }
        if (dropped.length) process.stdout.write(`${dropped.length} entry(ies) could not be read and were left out (see --json).\n`);
      } finally {
        await client.close();
      }
    });
}
