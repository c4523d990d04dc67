// `magma-agent run`: the daemon. Foreground, logs to stdout, stops cleanly on SIGTERM/SIGINT.
import type { Command } from 'commander';
import { dirname, resolve } from 'node:path';
import { ensureDataDir } from '../../fs/data-dir.js';
import { acquireInstanceLock, lockBesideKeypair, type InstanceLock } from '../../fs/instance-lock.js';
import { createAgent, databasePath, keypairPath } from '../../app/agent.js';
import { ScaledClock } from '../../clock/scaled-clock.js';
import { lastTickAt } from '../../store/last-tick.js';
import { startTimeForSeed } from '../../sim/world/world.js';
import { readStoredAgent } from '../../credentials/agent-key-file.js';
import { errorMessage, isMagmaError } from '../../core/errors.js';
import { formatSol } from '../../core/money.js';
import { runDaemon } from '../../engine/daemon.js';
import { CronSchedule, IntervalSchedule } from '../../engine/schedule.js';
import { Wakeup } from '../../engine/wakeup.js';
import { dailySummary } from '../../report/daily-summary.js';
import { MetricsServer } from '../../metrics/metrics-server.js';
import { ensureWebhookRegistered } from '../../webhook/ensure-webhook.js';
import { WebhookReceiver } from '../../webhook/receiver.js';
import { webhookToken } from '../../webhook/webhook-token.js';
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
      let lock: InstanceLock | null = null;
      let walletLock: InstanceLock | null = null;
      const shutdown = onShutdown((name) => logger.info('shutdown.requested', { signal: name, msg: 'finishing the current step, then stopping' }));
      try {
        if (opts.sim) {
          // Simulated time goes on from the last recorded tick, so a rehearsal resumed in the same data directory
          // sees the same world later on, never the same hours again.
          const resumeAt = Math.max(startTimeForSeed(config.sim.seed), (lastTickAt(databasePath(config)) ?? 0) + 1_000);
          sim = new Simulator({
            seed: config.sim.seed, tier: config.sim.tier, fundSol: config.sim.fundSol, programId: config.backing.programId,
            clock: new ScaledClock(resumeAt, config.sim.speed),
          });
          const stored = readStoredAgent(resolve(config.dataDir));
          if (stored) {
            const a = stored.agent;
            sim.restoreAgent({ id: a.agentId, apiKey: a.apiKey, name: a.name, description: null, walletAddress: a.walletAddress, createdAt: a.createdAt });
          }
          const urls = await sim.start();
          config.api.url = urls.api;
          config.rpc.url = urls.rpc;
          // rehearsals read the simulator's own price paths, the ones its MARKET narratives resolve on
          config.prices.source = 'sim';
          config.prices.url = urls.api;
          logger.info('sim.started', { api: urls.api, rpc: urls.rpc, seed: config.sim.seed, speed: config.sim.speed });
        }
        lock = acquireInstanceLock(ensureDataDir(resolve(config.dataDir)));
        // Two data directories with one keypair would double every limit and could back the same narrative twice:
        // a second lock sits beside the keypair file (skipped, with a warning, where that folder is read-only).
        walletLock = lockBesideKeypair(keypairPath(config), logger);
        const agent = await createAgent({
          config, logger, apiKeyOverride: loaded.apiKeyOverride, createWalletIfMissing: opts.sim === true,
          ...(loaded.configFile ? { configDir: dirname(loaded.configFile) } : {}),
          signal: shutdown.signal, ...(sim ? { clock: sim.clock, simulatorUrl: sim.urls.api } : {}),
        });
        logger.info('agent.started', {
          wallet: agent.walletAddress, dry_run: agent.dryRun, db: agent.dbPath, api: config.api.url, key_source: agent.agentKey.source,
          msg: agent.dryRun ? 'dry run: decisions are recorded, nothing is sent' : 'live: backings are signed, sent, confirmed and reported from this wallet',
        });
        try {
          if (opts.once) {
            await agent.engine.tick(shutdown.signal);
            // One tick, then what it started: backings in flight are driven to the end (bounded), not left behind.
            await agent.executor.settle?.(config.backing.confirmTimeoutSeconds * 1000, shutdown.signal);
          } else {
            const wake = new Wakeup();
            let metrics: MetricsServer | null = null;
            if (config.metrics.enabled) {
              metrics = new MetricsServer({ bind: config.metrics.bind, port: config.metrics.port, store: agent.store, dryRun: agent.dryRun });
              logger.info('metrics.listening', { url: await metrics.start() });
            }
            let receiver: WebhookReceiver | null = null;
            if (config.webhook.enabled) {
              receiver = new WebhookReceiver({
                bind: config.webhook.bind, port: config.webhook.port, token: webhookToken(resolve(config.dataDir)), logger,
                onHint: (reason) => wake.trigger(reason),
              });
              await receiver.start();
              logger.info('webhook.listening', { bind: config.webhook.bind, port: config.webhook.port });
              const publicUrl = config.webhook.publicUrl!.replace(/\/+$/, '') + receiver.path;
              await ensureWebhookRegistered({ api: agent.api, store: agent.store, url: publicUrl, dryRun: agent.dryRun, logger, signal: shutdown.signal });
            }
            const schedule = config.poll.cron
              ? new CronSchedule(config.poll.cron, config.poll.jitterSeconds * 1000)
              : new IntervalSchedule(config.poll.intervalSeconds * 1000, config.poll.jitterSeconds * 1000);
            logger.info('schedule', { ticks: schedule.describe() });
            const { ticks, failures } = await runDaemon({
              engine: agent.engine, clock: agent.clock, logger, signal: shutdown.signal, schedule, wake,
              intervalMs: config.poll.intervalSeconds * 1000, minGapMs: config.poll.minGapSeconds * 1000,
              onDayEnd: (day) => {
                const d = dailySummary(agent.store, day);
                logger.info('daily.summary', {
                  day: d.day, ticks: d.ticks, failed_ticks: d.failedTicks, backed: d.backs, skipped: d.skips, staked: formatSol(d.stakedLamports),
                  settled: d.settled, pnl: formatSol(d.pnlLamports), resolutions: d.resolutions, dry_run: agent.dryRun,
                });
              },
            })
              .catch((err: unknown) => {
                // journald sees why the daemon stopped as an event, not only as text on stderr
                logger.error('agent.fatal', { code: isMagmaError(err) ? err.code : 'UNEXPECTED', msg: errorMessage(err) });
                throw err;
              })
              .finally(() => Promise.all([receiver?.stop(), metrics?.stop()]));
            logger.info('agent.stopped', { ticks, failed_ticks: failures });
          }
        } finally {
          await agent.close();
        }
      } finally {
        shutdown.dispose();
        await sim?.stop();
        walletLock?.release();
        lock?.release();
      }
    });
}
