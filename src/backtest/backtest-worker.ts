// A worker thread that runs backtests one at a time for the pool (backtest-pool.ts): each through runBacktest, the
// same composition as every other mode. Progress goes back a few times a second; an abort ends the replay early,
// and what was replayed still comes back as the result (as Ctrl-C does in one process).
import { parentPort } from 'node:worker_threads';
import { isMagmaError } from '../core/errors.js';
import type { LoggerOptions, LogLevel } from '../log/logger.js';
import type { FromWorker, ToWorker } from './backtest-job.js';
import { RecordingReader } from './replay-recording.js';

const port = parentPort!;
let abort = new AbortController();
// The first job's recording reader starts now, and loads its modules while this thread loads the engine's (the two
// start-ups took about 0.2 s each, one after the other). Later jobs start theirs as they come.
// (This module imports nothing heavy itself: what it imports loads before this line runs.)
let spareReader: RecordingReader | null = new RecordingReader();
const modules = Promise.all([import('./run-backtest.js'), import('../log/logger.js')]);
modules.catch(() => undefined); // a failure to load is the job's error, reported when it awaits them

port.on('message', (m: ToWorker) => {
  if (m.type === 'abort') abort.abort(new Error('stopped'));
  else void run(m.job);
});

async function run(job: Extract<ToWorker, { type: 'run' }>['job']): Promise<void> {
  if (abort.signal.aborted) abort = new AbortController();
  const reader = spareReader ?? new RecordingReader();
  spareReader = null;
  let lastPost = 0;
  const post = (m: FromWorker) => port.postMessage(m);
  try {
    const [{ runBacktest }, { createLogger }] = await modules;
    const logger = createLogger({ level: job.config.log.level as LogLevel, format: job.config.log.format as LoggerOptions['format'], stream: process.stderr });
    for (const secret of job.secrets) logger.redactor.add(secret);
    const { guards: _guards, ...result } = await runBacktest({
      config: job.config, logger, recording: job.recording, bankrollSol: job.bankrollSol, signal: abort.signal, reader,
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
  } finally {
    await reader.close(); // already closed when the replay ran; not when the job failed before it
  }
}
