// `magma-agent run`: the daemon. Foreground, logs to stdout, stops cleanly on SIGTERM/SIGINT.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { createAgent } from '../../app/agent.js';
import { readStoredAgent } from '../../credentials/agent-key-file.js';
import { runDaemon } from '../../engine/daemon.js';
import { Simulator } from '../../sim/simulator.js';
import { armRandomCrash } from '../../testing/crash-point.js';
import { loadRuntime, type GlobalOptions } from '../runtime.js';
import { onShutdown } from '../shutdown.js';

interface RunOptions extends GlobalOptions {
  once?: boolean;
  sim?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the agent: poll the feed, score narratives, decide and record (the daemon)')
    .option('--once', 'do exactly one full tick, then exit (0 when the tick completed)')
    .option('--dry-run', 'decide everything, record it as dry-run, send no write (also MAGMA_DRY_RUN=1)')
    .option('--sim', 'start the bundled MAGMA + Solana simulator in-process and point the agent at it')
    .addHelpText('after', `
Examples:
  magma-agent run --sim --dry-run            rehearse against the local simulator
  magma-agent run --once --dry-run           one tick against the configured API, nothing written
  MAGMA_API_KEY=… magma-agent run            the daemon (under systemd: see docs/magma-agent.service)`)
    .action(async (_opts, cmd: Command) => {
      const opts = cmd.optsWithGlobals<RunOptions>();
      armRandomCrash(); // crash tests only (MAGMA_CRASH_AT=random:SEED); nothing otherwise
      const { config, logger, loaded } = loadRuntime(opts);
      let sim: Simulator | null = null;
      const shutdown = onShutdown((name) => logger.info('shutdown.requested', { signal: name, msg: 'finishing the current step, then stopping' }));
      try {
        if (opts.sim) {
          sim = new Simulator({ seed: config.sim.seed, speed: config.sim.speed, tier: config.sim.tier, fundSol: config.sim.fundSol, programId: config.backing.programId });
          const stored = readStoredAgent(resolve(config.dataDir));
          if (stored) {
            const a = stored.agent;
            sim.restoreAgent({ id: a.agentId, apiKey: a.apiKey, name: a.name, description: null, walletAddress: a.walletAddress, createdAt: a.createdAt });
          }
          const urls = await sim.start();
          config.api.url = urls.api;
          config.rpc.url = urls.rpc;
          logger.info('sim.started', { api: urls.api, rpc: urls.rpc, seed: config.sim.seed, speed: config.sim.speed });
        }
        const agent = await createAgent({
          config, logger, apiKeyOverride: loaded.apiKeyOverride, createWalletIfMissing: opts.sim === true,
          signal: shutdown.signal, ...(sim ? { clock: sim.clock, simulatorUrl: sim.urls.api } : {}),
        });
        logger.info('agent.started', {
          wallet: agent.walletAddress, dry_run: agent.dryRun, db: agent.dbPath, api: config.api.url, key_source: agent.agentKey.source,
          msg: agent.dryRun ? 'dry run: decisions are recorded, nothing is sent' : 'live: backings are signed, sent, confirmed and reported from this wallet',
        });
        try {
          if (opts.once) {
            await agent.engine.tick(shutdown.signal);
          } else {
            const { ticks, failures } = await runDaemon({
              engine: agent.engine, clock: agent.clock, logger, signal: shutdown.signal,
              intervalMs: config.poll.intervalSeconds * 1000, jitterMs: config.poll.jitterSeconds * 1000,
            });
            logger.info('agent.stopped', { ticks, failed_ticks: failures });
          }
        } finally {
          await agent.close();
        }
      } finally {
        shutdown.dispose();
        await sim?.stop();
      }
    });
}
