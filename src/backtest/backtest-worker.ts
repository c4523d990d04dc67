// A worker thread that runs backtests one at a time for the pool (backtest-pool.ts): each through runBacktest, the
// same composition as every other mode. Progress goes back a few times a second; an abort ends the replay early,
// and what was replayed still comes back as the result (as Ctrl-C does in one process).
import { parentPort } from 'node:worker_threads';
import { isMagmaError } from '../core/errors.js';
import { createLogger, type LoggerOptions, type LogLevel } from '../log/logger.js';
import type { FromWorker, ToWorker } from './backtest-job.js';
import { runBacktest } from './run-backtest.js';

const port = parentPort!;
let abort = new AbortController();

port.on('message', (m: ToWorker) => {
  if (m.type === 'abort') abort.abort(new Error('stopped'));
  else void run(m.job);
});

async function run(job: Extract<ToWorker, { type: 'run' }>['job']): Promise<void> {
  if (abort.signal.aborted) abort = new AbortController();
  const logger = createLogger({ level: job.config.log.level as LogLevel, format: job.config.log.format as LoggerOptions['format'], stream: process.stderr });
  for (const secret of job.secrets) logger.redactor.add(secret);
  let lastPost = 0;
  const post = (m: FromWorker) => port.postMessage(m);
  try {
    const { guards: _guards, ...result } = await runBacktest({
      config: job.config, logger, recording: job.recording, bankrollSol: job.bankrollSol, signal: abort.signal,
      ...(job.outcomes ? { outcomes: job.outcomes } : {}),
      ...(job.truth ? { truth: job.truth } : {}),
      ...(job.strategies ? { strategies: job.strategies } : {}),
      ...(job.startAtMs !== undefined ? { startAtMs: job.startAtMs } : {}),
      ...(job.stopAtMs !== undefined ? { stopAtMs: job.stopAtMs } : {}),
      ...(job.checkpointsMs ? { checkpointsMs: job.checkpointsMs } : {}),
      ...(job.fingerprintUntilMs !== undefined ? { fingerprintUntilMs: job.fingerprintUntilMs } : {}),
      onProgress: (p) => {
        const now = Date.now();
        if (now - lastPost < 200) return;
        lastPost = now;
        post({ type: 'progress', id: job.id, progress: { polls: p.polls, t: p.t, backed: p.backed } });
      },
    });
    post({ type: 'result', id: job.id, result });
  } catch (err) {
    post({
      type: 'error', id: job.id, code: isMagmaError(err) ? err.code : null, message: err instanceof Error ? err.message : String(err),
      hint: isMagmaError(err) ? (err.hint ?? null) : null,
    });
  }
}
