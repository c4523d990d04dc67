// One backtest to run on a worker thread (backtest-worker.ts): which config and strategies, which part of the
// recording, and what to measure. A sweep, the strategies alone and the look-ahead check are each a list of jobs.
import type { Config } from '../config/schema.js';
import type { BacktestResult } from './run-backtest.js';

export interface BacktestJob {
  id: number;
  /** The validated config this run uses (a sweep's settings already applied). */
  config: Config;
  /** Secrets the config holds, for the worker's logger to redact. */
  secrets: string[];
  recording: string;
  outcomes?: string;
  /** Bayes-optimal probabilities beside the recording (`sim --truth`): the run is scored against them. */
  truth?: string;
  strategies?: string[];
  bankrollSol: number;
  startAtMs?: number;
  stopAtMs?: number;
  checkpointsMs?: number[];
  fingerprintUntilMs?: number;
  /** The span of simulated time this job decides on (the progress bar's unit). */
  fromMs: number;
  toMs: number;
}

/** A result as it crosses threads (the executor guards hold a function: they stay behind). */
export type JobResult = Omit<BacktestResult, 'guards'>;

export interface JobProgress {
  polls: number;
  t: number;
  backed: number;
}

export type ToWorker = { type: 'run'; job: BacktestJob } | { type: 'abort' };

export type FromWorker =
  | { type: 'progress'; id: number; progress: JobProgress }
  | { type: 'result'; id: number; result: JobResult }
  | { type: 'error'; id: number; code: string | null; message: string; hint: string | null };
