// The command-line interface (INTERFACE.md "Commands"). Exit codes: 0 ok, 1 runtime failure, 2 bad usage,
// 78 bad configuration. Every error message says what is wrong and what to do.
import { Command, CommanderError, Option } from 'commander';
import { errorMessage, exitCodeFor, isMagmaError } from '../core/errors.js';
import { processRedactor } from '../log/redactor.js';
import { forStderr } from '../log/logger.js';
import { onStdoutClosed } from './stdout-closed.js';
import { VERSION } from './version.js';

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when needed: a command line that names one loads just that one (a backtest
 * never loads the Solana and HTTP clients); help and unknown words load them all.
 */
const COMMANDS: ReadonlyArray<[names: readonly string[], load: () => Promise<Register>]> = [
  [['run'], async () => (await import('./commands/run.js')).registerRun],
  [['sim'], async () => (await import('./commands/sim.js')).registerSim],
  [['register'], async () => (await import('./commands/register.js')).registerRegister],
  [['keygen'], async () => (await import('./commands/keygen.js')).registerKeygen],
  [['doctor'], async () => (await import('./commands/doctor.js')).registerDoctor],
  [['demo'], async () => (await import('./commands/demo.js')).registerDemo],
  [['status'], async () => (await import('./commands/status.js')).registerStatus],
  [['pause', 'resume'], async () => (await import('./commands/pause.js')).registerPause],
  [['portfolio', 'history'], async () => (await import('./commands/portfolio.js')).registerPortfolio],
  [['leaderboard'], async () => (await import('./commands/leaderboard.js')).registerLeaderboard],
  [['export'], async () => (await import('./commands/export.js')).registerExport],
  [['backup'], async () => (await import('./commands/backup.js')).registerBackup],
  [['backtest'], async () => (await import('./commands/backtest.js')).registerBacktest],
];

/** The command a command line names: its first word that is not an option (or an option's value). */
function commandWord(argv: readonly string[]): string | undefined {
  const withValue = new Set(['--config', '--data-dir', '--log-level', '--log-format']);
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (withValue.has(a)) i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const word = commandWord(argv);
  const named = COMMANDS.filter(([names]) => word !== undefined && names.includes(word));
  const registers = await Promise.all((named.length ? named : COMMANDS).map(([, load]) => load()));
  const program = new Command('magma-agent')
    .description('Autonomous agent for the MAGMA protocol: polls narratives, scores them with pluggable strategies, backs positions and records everything.')
    .version(VERSION)
    .option('--config <file>', 'config file (JSON; also MAGMA_CONFIG)')
    .option('--data-dir <dir>', 'database, stored key and recordings (also MAGMA_DATA_DIR; default ./data)')
    .addOption(new Option('--log-level <level>', 'log level (also MAGMA_LOG_LEVEL)').choices(['error', 'warn', 'info', 'debug']))
    .addOption(new Option('--log-format <format>', 'json (journald) or pretty (TTY); default: pretty on a terminal').choices(['json', 'pretty']))
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `
Exit codes: 0 ok, 1 runtime failure, 2 bad usage, 78 bad configuration (systemd: RestartPreventExitStatus=78).
Start here: npm run demo (or magma-agent demo), then magma-agent doctor.`);
  program.exitOverride();
  program.configureHelp({ showGlobalOptions: true });
  for (const register of registers) register(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  onStdoutClosed(); // `magma-agent status | head -1`: a reader that leaves early ends the command quietly
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version "errors" are successful exits; every other parse problem is bad usage
      return err.exitCode === 0 ? 0 : 2;
    }
    const code = exitCodeFor(err);
    const label = isMagmaError(err, 'CONFIG_INVALID') ? 'configuration error' : 'error';
    process.stderr.write(forStderr(processRedactor.redactString(`magma-agent: ${label}: ${errorMessage(err)}\n`)));
    if (isMagmaError(err) && process.env.MAGMA_LOG_LEVEL === 'debug' && err.cause) {
      process.stderr.write(forStderr(processRedactor.redactString(`caused by: ${errorMessage(err.cause)}\n`)));
    }
    return code;
  }
}
