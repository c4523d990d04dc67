// The messages between the agent and a plug-in's worker thread (src/engine/strategy-worker.ts). Everything crosses
// by structured clone: plain data, no functions, no getters, no shared objects.
import type { EvalItem, StrategyOutcome } from './strategy-runner.js';

export interface WorkerInit {
  /** Absolute path of the plug-in module. */
  path: string;
  timeoutMs: number;
  options: Record<string, unknown>;
  /** Int32 [0]: how many items of the current batch are finished (the worker writes, the agent reads). */
  progress: SharedArrayBuffer;
}

export type ToWorker =
  | { type: 'batch'; id: number; items: EvalItem[]; nowMs: number; sources: { prices: boolean; magus: boolean; narratives?: boolean } }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string; code?: string };

export type FromWorker =
  | { type: 'loaded'; name: string | null; hasEvaluate: boolean; interfaceVersion: number | null }
  | { type: 'load-failed'; error: string }
  | { type: 'done'; id: number; outcomes: StrategyOutcome[] }
  | { type: 'call'; id: number; source: string; method: string; args: unknown[] };
