// `magma-agent sim`: the local MAGMA + Solana simulator as a standalone server on loopback.
import { InvalidArgumentError, type Command } from 'commander';
import { Simulator } from '../../sim/simulator.js';
import { SCENARIOS } from '../../sim/scenarios.js';
import { loadRuntime, type GlobalOptions } from '../runtime.js';
import { onShutdown } from '../shutdown.js';

interface SimOptions extends GlobalOptions {
  port?: number;
  seed?: number;
  speed?: number;
  scenario: string;
}

export function parseNumber(kind: 'int' | 'positive') {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || (kind === 'int' && (!Number.isInteger(n) || n < 0)) || (kind === 'positive' && n <= 0)) {
      throw new InvalidArgumentError(kind === 'int' ? 'expected a whole number ≥ 0' : 'expected a number > 0');
    }
    return n;
  };
}

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('run the local MAGMA + Solana RPC simulator on loopback (for rehearsals and tests)')
    .option('--port <n>', 'port to listen on (0 = any free port)', parseNumber('int'), 0)
    .option('--seed <n>', 'world seed: the same seed gives the same narratives (default sim.seed)', parseNumber('int'))
    .option('--speed <x>', 'simulated seconds per real second (default sim.speed)', parseNumber('positive'))
    .option('--scenario <name>', `starting conditions: ${Object.keys(SCENARIOS).join(', ')}`, 'default')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<SimOptions>();
      const { config } = loadRuntime(opts);
      const scenario = SCENARIOS[opts.scenario];
      if (!scenario) cmd.error(`error: unknown scenario "${opts.scenario}"; choose one of ${Object.keys(SCENARIOS).join(', ')}`, { exitCode: 2 });
      const sim = new Simulator({
        seed: opts.seed ?? config.sim.seed, speed: opts.speed ?? config.sim.speed, port: opts.port ?? 0,
        tier: config.sim.tier, fundSol: config.sim.fundSol, programId: config.backing.programId,
      });
      scenario.apply(sim.state);
      const urls = await sim.start();
      process.stdout.write([
        `MAGMA simulator listening (scenario ${opts.scenario}: ${scenario.description})`,
        `  MAGMA_API_URL=${urls.api}`,
        `  MAGMA_RPC_URL=${urls.rpc}`,
        `  MAGUS_API_URL=${urls.magus}`,
        `  control:      ${urls.control}/state`,
        `  backing program id: ${sim.state.programId}`,
        `  simulated time starts ${new Date(sim.state.world.startMs).toISOString()} at ${opts.speed ?? config.sim.speed}x`,
        'Stop with Ctrl-C.',
        '',
      ].join('\n'));
      const shutdown = onShutdown(() => process.stdout.write('stopping the simulator\n'));
      await new Promise<void>((resolve) => shutdown.signal.addEventListener('abort', () => resolve(), { once: true }));
      shutdown.dispose();
      await sim.stop();
    });
}
