// The command-line interface (INTERFACE.md "Commands"). Exit codes: 0 ok, 1 runtime failure, 2 bad usage,
// 78 bad configuration. Every error message says what is wrong and what to do.
import { Command, CommanderError, Option } from 'commander';
import { errorMessage, exitCodeFor, isMagmaError } from '../core/errors.js';
import { processRedactor } from '../log/redactor.js';
import { VERSION } from './version.js';
import { onStdoutClosed } from './stdout-closed.js';
import { registerBackup } from './commands/backup.js';
import { registerBacktest } from './commands/backtest.js';
import { registerDemo } from './commands/demo.js';
import { registerExport } from './commands/export.js';
import { registerDoctor } from './commands/doctor.js';
import { registerKeygen } from './commands/keygen.js';
import { registerLeaderboard } from './commands/leaderboard.js';
import { registerPause } from './commands/pause.js';
import { registerPortfolio } from './commands/portfolio.js';
import { registerRegister } from './commands/register.js';
import { registerRun } from './commands/run.js';
import { registerSim } from './commands/sim.js';
import { registerStatus } from './commands/status.js';

export function buildProgram(): Command {
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
  for (const register of [registerRun, registerSim, registerRegister, registerKeygen, registerDoctor, registerDemo, registerStatus, registerPause, registerPortfolio, registerLeaderboard, registerExport, registerBackup, registerBacktest]) register(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  onStdoutClosed(); // `magma-agent status | head -1`: a reader that leaves early ends the command quietly
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version "errors" are successful exits; every other parse problem is bad usage
      return err.exitCode === 0 ? 0 : 2;
    }
    const code = exitCodeFor(err);
    const label = code === 78 ? 'configuration error' : 'error';
    process.stderr.write(processRedactor.redactString(`magma-agent: ${label}: ${errorMessage(err)}\n`));
    if (isMagmaError(err) && process.env.MAGMA_LOG_LEVEL === 'debug' && err.cause) {
      process.stderr.write(processRedactor.redactString(`caused by: ${errorMessage(err.cause)}\n`));
    }
    return code;
  }
}
