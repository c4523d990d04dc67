// `magma-agent sim`: the local MAGMA + Solana simulator as a standalone server on loopback, or — with --record and
// --duration and no --serve — a generator that writes the whole period's recording as fast as the machine allows.
import { statSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { generateRecording } from '../../sim/recording/generate-recording.js';
import { parseDuration } from '../../sim/recording/duration.js';
import { FeedRecorder } from '../../sim/recording/feed-recorder.js';
import { applyFaults } from '../../sim/routes/control.js';
import { Simulator } from '../../sim/simulator.js';
import { resolveScenarios, SCENARIOS } from '../../sim/scenarios.js';
import { STEP_MS } from '../../sim/world/world.js';
import { SIM_X402_NETWORK } from '../../sim/x402/network.js';
import { loadRuntime, type GlobalOptions } from '../runtime.js';
import { onShutdown } from '../shutdown.js';

interface SimOptions extends GlobalOptions {
  port?: number;
  seed?: number;
  speed?: number;
  scenario: string;
  record?: string;
  outcomes?: string;
  truth?: string;
  duration?: number;
  start?: number;
  fund?: number;
  recordInterval: number;
  serve?: boolean;
  crowdInformativeness?: number;
  narrativesPerHour?: number;
  faults?: Record<string, unknown>;
  x402?: boolean;
}

/** A number flag's parser; `max` bounds it (a flag past what the agent can act on is a usage error, never a crash). */
export function parseNumber(kind: 'int' | 'positive' | 'non-negative' | 'port', max = Infinity) {
  return (value: string) => {
    const n = Number(value);
    const whole = Number.isInteger(n) && n >= 0;
    if (!Number.isFinite(n) || (kind === 'int' && !whole) || (kind === 'port' && !(whole && n <= 65535)) || (kind === 'positive' && n <= 0) || (kind === 'non-negative' && n < 0)) {
      throw new InvalidArgumentError(
        kind === 'int' ? 'expected a whole number ≥ 0' : kind === 'port' ? 'expected a port from 0 to 65535' : kind === 'positive' ? 'expected a number > 0' : 'expected a number ≥ 0',
      );
    }
    if (n > max) throw new InvalidArgumentError(`expected at most ${max}`);
    return n;
  };
}

function parseUnit(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a number from 0 to 1');
  return n;
}

function jsonObjectArg(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError('expected a JSON object such as {"halted":["backing"]}');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidArgumentError('expected a JSON object');
  return parsed as Record<string, unknown>;
}

function durationArg(value: string): number {
  const ms = parseDuration(value);
  if (ms === null) throw new InvalidArgumentError('expected a duration such as 30d, 12h, 90m or 1d12h');
  return ms;
}

function isoArg(value: string): number {
  // "now": a rehearsal beside a daemon on wall-clock time (deadlines line up); not reproducible, by design
  if (value === 'now') return Date.now();
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || !Number.isFinite(ms)) throw new InvalidArgumentError('expected an ISO time such as 2026-05-01T00:00:00Z');
  return ms;
}

function size(path: string): string {
  const bytes = statSync(path).size;
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${bytes} bytes`;
}

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('run the local MAGMA + Solana RPC simulator on loopback (for rehearsals and tests), or generate a recording')
    .option('--port <n>', 'port to listen on (0 = any free port)', parseNumber('port'), 0)
    .option('--seed <n>', 'world seed: the same seed gives the same narratives (default sim.seed)', parseNumber('int'))
    .option('--speed <x>', 'simulated seconds per real second (default sim.speed)', parseNumber('positive'))
    .option('--scenario <names>', `starting conditions, comma-separated: ${Object.keys(SCENARIOS).join(', ')}`, 'default')
    .option('--record <file>', 'write the feed as a JSON Lines recording (one poll per --record-interval, plus price lines)')
    .option('--outcomes <file>', 'write each resolution as a JSON line {narrative_id, outcome, resolved_at}')
    .option('--truth <file>', 'with --record: write the Bayes-optimal P(TRUE) of each narrative at each recorded poll (JSON Lines {t, p: {id: p}}), for backtest --truth')
    .option('--duration <d>', 'stop after this much simulated time (30d, 12h, 90m); with --record and no --serve the period is generated at once', durationArg)
    .addOption(new Option('--record-interval <d>', 'simulated time between recorded polls').argParser(durationArg).default(STEP_MS, '1m'))
    .option('--start <iso>', 'simulated start time, or "now" to rehearse beside a daemon on wall-clock time (default: derived from the seed)', isoArg)
    .option('--fund <sol>', 'SOL given to every wallet that first appears (default sim.fundSol)', parseNumber('non-negative'))
    .option('--crowd-informativeness <x>', 'how much the crowd leans toward the truth, 0 (noise) to 1 (default 0.9)', parseUnit)
    .option('--narratives-per-hour <n>', 'mean rate of new narratives (default 2)', parseNumber('positive'))
    .option('--faults <json>', 'faults to arm at start-up, as a POST /__sim/faults body, e.g. \'{"dropTransactions":2}\'', jsonObjectArg)
    .option('--serve', 'serve over HTTP even when generating a recording with --duration')
    .option('--x402', 'gate the feed, portfolio and history behind x402 payments settled in an in-process LiteSVM (fund a wallet: POST /__sim/x402/fund)')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<SimOptions>();
      // The flags that stand for config keys go through its schema: out of bounds they exit 78 naming the key
      // (--fund 1e300 was "Cannot convert to a BigInt", --speed 1e300 ran the world out of memory).
      const { config } = loadRuntime(opts, { 'sim.seed': opts.seed, 'sim.speed': opts.speed, 'sim.fundSol': opts.fund });
      const scenario = resolveScenarios(opts.scenario);
      if (!scenario.ok) {
        cmd.error(`error: unknown scenario "${scenario.unknown}"; choose from ${Object.keys(SCENARIOS).join(', ')} (several: a,b)`, { exitCode: 2 });
        return;
      }
      const seed = config.sim.seed;
      if (opts.truth && !opts.record) {
        cmd.error('error: --truth needs --record: the probabilities are written beside the recording\'s polls (add --record FILE)', { exitCode: 2 });
        return;
      }
      const speed = config.sim.speed;

      if ((opts.record || opts.outcomes) && opts.duration !== undefined && !opts.serve) {
        const started = performance.now();
        const r = generateRecording({
          seed, durationMs: opts.duration, startMs: opts.start, recordPath: opts.record, outcomesPath: opts.outcomes, truthPath: opts.truth, intervalMs: opts.recordInterval,
          crowdInformativeness: opts.crowdInformativeness, narrativesPerHour: opts.narrativesPerHour,
        });
        process.stdout.write([
          `generated ${r.polls} polls from ${new Date(r.fromMs).toISOString()} to ${new Date(r.toMs).toISOString()} (seed ${seed}) in ${Math.round(performance.now() - started)} ms`,
          ...(opts.record ? [`  recording: ${opts.record} (${size(opts.record)})`] : []),
          ...(opts.outcomes ? [`  outcomes:  ${opts.outcomes} (${r.outcomes} resolutions)`] : []),
          ...(opts.truth ? [`  truth:     ${opts.truth} (Bayes-optimal probabilities at each poll)`] : []),
          '',
        ].join('\n'));
        return;
      }

      const sim = new Simulator({
        seed, speed, port: opts.port ?? 0, tier: config.sim.tier, fundSol: config.sim.fundSol, programId: config.backing.programId,
        ...(opts.start !== undefined ? { startMs: opts.start } : {}),
        ...(opts.crowdInformativeness !== undefined ? { crowdInformativeness: opts.crowdInformativeness } : {}),
        ...(opts.narrativesPerHour !== undefined ? { narrativesPerHour: opts.narrativesPerHour } : {}),
        ...(opts.x402 ? { x402: {} } : {}),
      });
      scenario.apply(sim.state);
      if (opts.faults) {
        const error = applyFaults(sim.state, opts.faults);
        if (error) {
          cmd.error(`error: --faults: ${error}`, { exitCode: 2 });
          return;
        }
      }
      const world = sim.state.world;
      const untilMs = opts.duration !== undefined ? world.startMs + opts.duration : undefined;
      const recorder = opts.record || opts.outcomes
        ? new FeedRecorder({ world, recordPath: opts.record, outcomesPath: opts.outcomes, truthPath: opts.truth, intervalMs: opts.recordInterval, untilMs })
        : null;
      const urls = await sim.start();
      process.stdout.write([
        `MAGMA simulator listening (scenario ${opts.scenario}: ${scenario.description})`,
        `  MAGMA_API_URL=${urls.api}`,
        `  MAGMA_RPC_URL=${urls.rpc}`,
        `  MAGUS_API_URL=${urls.magus}`,
        `  MAGMA_PRICES_SOURCE=sim MAGMA_PRICES_URL=${urls.api}   (prices for price-threshold)`,
        `  control:      ${urls.control}/state  ${urls.control}/faults  ${urls.control}/truth  ${urls.control}/ledger  ${urls.control}/prices`,
        `  backing program id: ${sim.state.programId}`,
        `  simulated time starts ${new Date(world.startMs).toISOString()} at ${speed}x (seed ${seed})`,
        ...(untilMs !== undefined ? [`  stops at ${new Date(untilMs).toISOString()} simulated`] : []),
        ...(opts.start === undefined && speed === 1
          ? ['  note: a daemon on wall-clock time sees these narratives as long past their deadlines; start with --start now to rehearse beside one']
          : []),
        ...(opts.record ? [`  recording to ${opts.record}`] : []),
        ...(sim.x402 ? [
          `  x402: ${sim.x402.amount} test USDC units a read to ${sim.x402.payTo} (mint ${sim.x402.chain.mint}, network ${SIM_X402_NETWORK})`,
          `        x402.rpcUrl=${urls.api}/x402/rpc; fund a wallet: POST ${urls.control}/x402/fund {"owner": "<address>", "amount": "1000000000"}`,
        ] : []),
        'Stop with Ctrl-C.',
        '',
      ].join('\n'));
      const shutdown = onShutdown(() => process.stdout.write('stopping the simulator\n'));
      await new Promise<void>((resolve) => {
        // The world steps with the clock even when nobody polls (recordings, webhooks, --duration).
        const timer = setInterval(() => {
          sim.sync();
          if (untilMs !== undefined && sim.clock.now() >= untilMs) finish();
        }, Math.max(20, Math.min(1000, STEP_MS / speed)));
        function finish() {
          clearInterval(timer);
          resolve();
        }
        shutdown.signal.addEventListener('abort', finish, { once: true });
      });
      shutdown.dispose();
      if (recorder) {
        if (untilMs !== undefined) world.advanceTo(untilMs);
        const r = recorder.close();
        if (opts.record) process.stdout.write(`recorded ${r.polls} polls into ${opts.record} (${size(opts.record)})\n`);
      }
      await sim.stop();
    });
}
