// `magma-agent demo`: the whole agent against the bundled simulator at an accelerated clock, in dry-run, in a
// throwaway directory with a throwaway wallet; then a readable summary. Needs no config and no wallet.
import type { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent } from '../../app/agent.js';
import { ledgerFlags } from '../../config/ledger.js';
import { formatSol } from '../../core/money.js';
import { runDaemon } from '../../engine/daemon.js';
import { calibrationByStrategy, oracleOutcomeSummary, pnlSummary, type OracleOutcomeSummary, type PnlSummary } from '../../report/calibration-report.js';
import { runSummary } from '../../report/run-summary.js';
import type { Calibration } from '../../core/calibration.js';
import { Simulator } from '../../sim/simulator.js';
import { loadRuntime, type GlobalOptions } from '../runtime.js';
import { onShutdown } from '../shutdown.js';
import { parseNumber } from './sim.js';

interface DemoOptions extends GlobalOptions {
  ticks: number;
  speed: number;
  seed: number;
  keep?: boolean;
}

const INTERVAL_S = 3600;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('rehearse the agent end to end against the bundled simulator (dry-run, throwaway wallet, ~45 s)')
    .option('--ticks <n>', 'how many ticks to run', parseNumber('positive'), 40)
    .option('--speed <x>', 'simulated seconds per real second', parseNumber('positive'), 3600)
    .option('--seed <n>', 'world seed', parseNumber('int'), 7)
    .option('--keep', 'keep the demo data directory (its database) instead of deleting it')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<DemoOptions>();
      const dir = mkdtempSync(join(tmpdir(), 'magma-demo-'));
      const out = (line = '') => process.stdout.write(line + '\n');
      const { config, logger, loaded } = loadRuntime(
        { ...opts, dataDir: dir, logLevel: opts.logLevel ?? 'warn', logFormat: opts.logFormat ?? 'pretty' },
        // --speed and --seed through the schema: out of its bounds they exit 78 naming sim.speed or sim.seed
        { ...ledgerFlags('dry-run'), 'poll.intervalSeconds': INTERVAL_S, 'poll.jitterSeconds': 0, 'wallet.keypairPath': join(dir, 'wallet.json'), 'sim.speed': opts.speed, 'sim.seed': Math.trunc(opts.seed) },
      );
      const sim = new Simulator({ seed: config.sim.seed, speed: config.sim.speed, fundSol: config.sim.fundSol, programId: config.backing.programId });
      const urls = await sim.start();
      config.api.url = urls.api;
      config.rpc.url = urls.rpc;
      config.prices.source = 'sim';
      config.prices.url = urls.api;
      const shutdown = onShutdown(() => out('stopping the demo early'));
      const ticks = Math.trunc(opts.ticks);
      out(`magma-agent demo: simulator at ${urls.api}, ${opts.speed}x simulated time, a tick every ${INTERVAL_S / 60} simulated minutes, ${ticks} ticks, dry-run.`);
      out(`data directory: ${dir}${opts.keep ? ' (kept)' : ' (deleted at the end; --keep keeps it)'}`);
      out();
      let agent;
      try {
        agent = await createAgent({ config, logger, apiKeyOverride: loaded.apiKeyOverride, clock: sim.clock, simulatorUrl: urls.api, createWalletIfMissing: true, signal: shutdown.signal });
        out(`wallet ${agent.walletAddress} (throwaway), agent key ${agent.agentKey.source}`);
        let n = 0;
        await runDaemon({
          engine: agent.engine, clock: agent.clock, logger, signal: shutdown.signal, intervalMs: INTERVAL_S * 1000, jitterMs: 0, maxTicks: ticks,
          onTick: (s) => {
            n++;
            const at = new Date(agent!.clock.now()).toISOString().slice(0, 16).replace('T', ' ');
            const backs = s.backed.map((d) => `${formatSol(d.stakeLamports, 3)} at p=${d.pTrue!.toFixed(2)}`).join(', ');
            out(`tick ${String(n).padStart(3)}/${ticks}  ${at}  feed ${String(s.feedCount).padStart(2)}  changed ${String(s.changed).padStart(2)}  would back ${s.backed.length}${backs ? `: ${backs}` : ''}`);
          },
        });
        printSummary(out, runSummary(agent.store), pnlSummary(agent.store), calibrationByStrategy(agent.store), oracleOutcomeSummary(agent.store));
      } finally {
        await agent?.close();
        await sim.stop();
        shutdown.dispose();
        if (!opts.keep) rmSync(dir, { recursive: true, force: true });
      }
    });
}

function printSummary(out: (line?: string) => void, s: ReturnType<typeof runSummary>, pnl: PnlSummary, calibration: Record<string, Calibration>, oracle: OracleOutcomeSummary): void {
  out();
  out('── summary ─────────────────────────────────────────────');
  out(`ticks:       ${s.ticks.ok} completed, ${s.ticks.failed} failed`);
  out(`narratives:  ${s.narratives} seen, ${s.snapshots} snapshots stored (only when something changed)`);
  out(`opinions:    ${s.opinions} strategy opinions, ${s.strategyErrors} strategy errors`);
  out(`decisions:   ${s.decisions.back} would back (${formatSol(s.stakedLamports, 3)} in total), ${s.decisions.skip} skipped`);
  out(`API calls:   ${s.apiCalls.total} (${s.apiCalls.errors} errors, ${s.apiCalls.rateLimited} rate-limited)`);
  if (s.topSkipReasons.length) {
    out('why skipped (most common first):');
    for (const r of s.topSkipReasons) out(`  ${String(r.count).padStart(5)}  ${r.reason}`);
  }
  if (s.backs.length) {
    out('latest would-back decisions:');
    for (const b of s.backs) {
      out(`  ${formatSol(b.stakeLamports, 3).padStart(10)}  p=${b.pTrue.toFixed(3)} edge=${b.edge.toFixed(3)}  [${b.category}] ${b.title}`);
    }
  }
  out(`dry-run P&L: ${pnl.settled} settled (${pnl.won} won, ${pnl.lost} lost, ${pnl.refunded} refunded): ${formatSol(pnl.pnlLamports, 3)}; ${pnl.openPositions} open (${formatSol(pnl.openLamports, 3)} at stake)`);
  if (oracle.count) {
    out(`outcomes:    ${oracle.count} from MAGMA's oracle, confidence ${oracle.meanConfidence!.toFixed(2)} on average, ${oracle.minConfidence!.toFixed(2)} at the lowest`);
  }
  const scored = Object.entries(calibration).filter(([, c]) => c.n > 0);
  if (scored.length) {
    out('calibration on resolved narratives (Brier, lower is better; always-0.5 scores 0.250):');
    for (const [name, c] of scored) out(`  ${name.padEnd(16)} ${c.brier!.toFixed(3)} over ${c.n} narratives, right side of 0.5: ${Math.round(c.hitRate! * 100)}%`);
  }
  out('Dry run: nothing was sent. Next: `magma-agent run --sim --dry-run` for a longer rehearsal, README.md for going live.');
}
