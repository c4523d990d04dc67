// `magma-agent run`: the daemon. Foreground, logs to stdout, stops cleanly on SIGTERM/SIGINT.
import type { Command } from 'commander';
import { dirname, resolve } from 'node:path';
import { ensureDataDir } from '../../fs/data-dir.js';
import { acquireInstanceLock, lockBesideKeypair, type InstanceLock } from '../../fs/instance-lock.js';
import { createAgent, databasePath, keypairPath } from '../../app/agent.js';
import { ledgerOf } from '../../config/ledger.js';
import type { Ledger } from '../../ports/store.js';
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
import { WebhookReceiver } from '../../webhook/receiver.js';
import { webhookToken } from '../../webhook/webhook-token.js';
import type { Simulator } from '../../sim/simulator.js';
import { armRandomCrash } from '../../testing/crash-point.js';
import { loadRuntime, type GlobalOptions } from '../runtime.js';
import { onShutdown } from '../shutdown.js';
import { onStdoutClosed } from '../stdout-closed.js';
import { tapLogger } from '../../log/logger.js';
import { Health } from '../../ops/health.js';
import { DaemonOps } from '../../ops/daemon-ops.js';
import { pauseReason, readPause } from '../../ops/pause.js';
import type { AgentMetrics } from '../../metrics/agent-metrics.js';
import { Alerter } from '../../alerts/alerter.js';
import { createNotifier } from '../../systemd/sd-notify.js';
import { ServiceNotifier } from '../../systemd/service-notifier.js';
import { SqliteJournal } from '../../store/sqlite-journal.js';
import { solToLamports } from '../../core/money.js';
import { journalView, stuckAfterMs } from '../../ops/journal-view.js';

/** What the agent does on each ledger, in its start-up line. */
const LEDGER_MEANS: Record<Ledger, string> = {
  'dry-run': 'dry run: decisions are recorded, nothing is sent',
  live: 'live: backings are signed, sent, confirmed and reported from this wallet',
};
import { VERSION } from '../version.js';

interface RunOptions extends GlobalOptions {
  once?: boolean;
  sim?: boolean;
}

/** Test USDC (atomic units, 6 decimals) the simulator gives the wallet for key-less rehearsals: 1,000 USDC. */
const SIM_X402_FUND = 1_000_000_000n;

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
      const runtime = loadRuntime(opts);
      const { config, loaded } = runtime;
      const dataDir = resolve(config.dataDir);
      const daemon = !opts.once;
      const wallPerClockMs = opts.sim ? 1 / config.sim.speed : 1;
      const health = new Health({ graceMs: config.backing.confirmTimeoutSeconds * 1000 + 4 * config.api.timeoutMs + 60_000 });
      // Loaded only when used (the metrics' and the simulator's modules are memory a daemon without them need not hold).
      const metrics = daemon && config.metrics.enabled ? new (await import('../../metrics/agent-metrics.js')).AgentMetrics({ version: VERSION, ledger: ledgerOf(config), sim: opts.sim === true }) : null;
      const notifier = daemon ? new ServiceNotifier(createNotifier({ onError: (err) => runtime.logger.warn('sd_notify.failed', { msg: err.message }) }), health) : null;
      if (config.alerts.url) runtime.logger.redactor.add(config.alerts.url); // Slack/Discord/Telegram URLs carry tokens
      const alerter = daemon && config.alerts.url ? new Alerter({
        url: config.alerts.url, format: config.alerts.format, events: config.alerts.events, maxPerHour: config.alerts.maxPerHour,
        agent: config.agent.name, logger: runtime.logger, redactor: runtime.logger.redactor,
      }) : null;
      const paused = () => {
        const p = readPause(dataDir);
        return p ? pauseReason(p) : null;
      };
      let journal: (() => { inFlight: number; stuck: number; openPositions: number; exposure: bigint }) | undefined;
      const ops = new DaemonOps({
        health, metrics, notifier, alerter, wallPerClockMs, reserveLamports: solToLamports(config.risk.minBalanceSol),
        unreachableMs: config.alerts.unreachableMinutes * 60_000, ledger: ledgerOf(config), paused, journal: () => journal?.() ?? { inFlight: 0, stuck: 0, openPositions: 0, exposure: 0n },
      });
      const logger = tapLogger(runtime.logger, (level, event, fields) => ops.observeLog(level, event, fields));
      ops.setLogger(logger);
      let sim: Simulator | null = null;
      let lock: InstanceLock | null = null;
      let walletLock: InstanceLock | null = null;
      let metricsServer: MetricsServer | null = null;
      let receiver: WebhookReceiver | null = null;
      const wake = new Wakeup();
      const shutdown = onShutdown((name) => {
        logger.info('shutdown.requested', { signal: name, msg: 'finishing the current step, then stopping' });
        void notifier?.stopping(`received ${name}`);
      });
      // `run | head -1`: the reader left; stop as cleanly as on SIGTERM (the lines still logged go nowhere, harmlessly).
      const stdoutDone = onStdoutClosed(() => shutdown.stop('stdout closed'));
      // SIGHUP (a closed terminal, or `systemctl reload`): nothing to reload yet, and dying on it would be unclean.
      const onHup = () => logger.warn('sighup.ignored', { msg: 'SIGHUP ignored: the configuration is read at start-up; restart to apply changes (systemctl restart magma-agent)' });
      process.on('SIGHUP', onHup);
      try {
        lock = acquireInstanceLock(ensureDataDir(dataDir));
        // Ports first: one in use is a configuration error (exit 78) found before anything registers or is sent.
        if (metrics) {
          metricsServer = new MetricsServer({ bind: config.metrics.bind, port: config.metrics.port, metrics, health });
          logger.info('metrics.listening', { url: await metricsServer.start(), healthz: '/healthz' });
        }
        if (daemon && config.webhook.enabled) {
          receiver = new WebhookReceiver({
            bind: config.webhook.bind, port: config.webhook.port, token: webhookToken(dataDir), logger,
            onHint: (reason) => wake.trigger(reason),
          });
          await receiver.start();
          logger.info('webhook.listening', { bind: config.webhook.bind, port: config.webhook.port });
        }
        if (opts.sim) {
          // Simulated time goes on from the last recorded tick, so a rehearsal resumed in the same data directory
          // sees the same world later on, never the same hours again.
          const resumeAt = Math.max(startTimeForSeed(config.sim.seed), (lastTickAt(databasePath(config, true)) ?? 0) + 1_000);
          const { Simulator } = await import('../../sim/simulator.js');
          sim = new Simulator({
            seed: config.sim.seed, tier: config.sim.tier, fundSol: config.sim.fundSol, programId: config.backing.programId,
            clock: new ScaledClock(resumeAt, config.sim.speed),
            // key-less rehearsals: the simulator's reads are paid per call, settled in its LiteSVM
            ...(config.api.auth === 'x402' ? { x402: {} } : {}),
          });
          const stored = readStoredAgent(dataDir, true); // the simulator's own key, never MAGMA's
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
          if (sim.x402) {
            // the simulator's test USDC, network and payee stand in for mainnet's; the caps stay the operator's
            const { SIM_X402_NETWORK, TEST_USDC_DECIMALS } = await import('../../sim/x402/network.js');
            config.x402 = {
              ...config.x402, allowedAssets: [{ asset: sim.x402.chain.mint, decimals: TEST_USDC_DECIMALS, symbol: 'USDC' }],
              allowedNetworks: [SIM_X402_NETWORK], allowedPayees: [sim.x402.payTo], rpcUrl: `${urls.api}/x402/rpc`,
            };
          }
          logger.info('sim.started', { api: urls.api, rpc: urls.rpc, seed: config.sim.seed, speed: config.sim.speed });
        }
        // Two data directories with one keypair would double every limit and could back the same narrative twice:
        // a second lock sits beside the keypair file (skipped, with a warning, where that folder is read-only).
        walletLock = lockBesideKeypair(keypairPath(config), logger);
        const agent = await createAgent({
          config, logger, apiKeyOverride: loaded.apiKeyOverride, createWalletIfMissing: opts.sim === true,
          ...(loaded.configFile ? { configDir: dirname(loaded.configFile) } : {}),
          signal: shutdown.signal, ...(sim ? { clock: sim.clock, simulatorUrl: sim.urls.api } : {}),
          onCall: (call) => ops.onCall(call), paused,
        });
        metrics?.knowStrategies(agent.strategyNames);
        if (sim?.x402) await sim.x402.chain.fund(agent.walletAddress, SIM_X402_FUND);
        journal = journalView({ store: agent.store, journal: new SqliteJournal(agent.store), clock: agent.clock, stuckAfterMs: stuckAfterMs(config.backing.confirmTimeoutSeconds) });
        logger.info('agent.started', {
          wallet: agent.walletAddress, ledger: agent.ledger, dry_run: agent.ledger === 'dry-run', db: agent.dbPath, api: config.api.url, key_source: agent.agentKey.source,
          msg: LEDGER_MEANS[agent.ledger],
        });
        const pausedNow = paused();
        if (pausedNow) logger.warn('agent.paused', { msg: pausedNow });
        try {
          if (opts.once) {
            // the operator's view of the one tick too (an underfunded wallet is warned about, not silently idle)
            ops.onTick(await agent.engine.tick(shutdown.signal));
            // One tick, then what it started: backings in flight are driven to the end (bounded), not left behind.
            await agent.executor.settle?.(config.backing.confirmTimeoutSeconds * 1000, shutdown.signal);
          } else {
            if (receiver) {
              const publicUrl = config.webhook.publicUrl!.replace(/\/+$/, '') + receiver.path;
              await agent.registerWebhook(publicUrl, shutdown.signal);
            }
            const schedule = config.poll.cron
              ? new CronSchedule(config.poll.cron, config.poll.jitterSeconds * 1000)
              : new IntervalSchedule(config.poll.intervalSeconds * 1000, config.poll.jitterSeconds * 1000);
            logger.info('schedule', { ticks: schedule.describe() });
            notifier?.status('first tick running');
            const { ticks, failures } = await runDaemon({
              engine: { tick: ops.timed((signal) => agent.engine.tick(signal)) }, clock: agent.clock, logger, signal: shutdown.signal, schedule, wake,
              intervalMs: config.poll.intervalSeconds * 1000, minGapMs: config.poll.minGapSeconds * 1000,
              onTick: (summary) => ops.onTick(summary),
              onTickFailed: (err) => ops.onTickFailed(err),
              onIdle: (waitMs) => ops.onIdle(waitMs),
              onDayEnd: (day) => {
                try {
                  const d = dailySummary(agent.store, day);
                  const fields = {
                    day: d.day, ticks: d.ticks, failed_ticks: d.failedTicks, backed: d.backs, skipped: d.skips, staked: formatSol(d.stakedLamports),
                    settled: d.settled, pnl: formatSol(d.pnlLamports), resolutions: d.resolutions, dry_run: agent.ledger === 'dry-run',
                  };
                  logger.info('daily.summary', fields);
                  ops.daily(fields);
                } catch (err) {
                  // a report that cannot be built must not stop the daemon
                  logger.warn('daily.summary_failed', { msg: errorMessage(err) });
                }
              },
            });
            logger.info('agent.stopped', { ticks, failed_ticks: failures });
          }
        } finally {
          await agent.close();
        }
      } catch (err) {
        // The daemon stops for an operator, at start-up (a refused key, a store that fails, a port in use) or later:
        // journald sees why as an event (not only as text on stderr), and alerts.url is told before the exit.
        if (daemon && shutdown.signal.aborted && isMagmaError(err, 'ABORTED')) {
          // SIGTERM or a closed stdout during start-up (registering, the first reads): the same clean stop, exit 0,
          // as between ticks (not "error: … cancelled" and exit 1)
          logger.info('agent.stopped', { ticks: 0, failed_ticks: 0, msg: 'stopped during start-up' });
          return;
        }
        if (daemon) {
          logger.error('agent.fatal', { code: isMagmaError(err) ? err.code : 'UNEXPECTED', msg: errorMessage(err) });
          ops.fatal(err);
        }
        throw err;
      } finally {
        await notifier?.stopping(shutdown.signal.aborted ? 'shutting down' : 'exiting');
        await Promise.all([receiver?.stop(), metricsServer?.stop(), alerter?.flush()]);
        process.off('SIGHUP', onHup);
        stdoutDone();
        shutdown.dispose();
        await sim?.stop();
        walletLock?.release();
        lock?.release();
      }
    });
}
