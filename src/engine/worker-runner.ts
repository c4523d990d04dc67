// Runs a plug-in strategy (a module loaded by path) in its own worker thread, so that nothing it does can stop,
// hang or change the daemon: process.exit ends only its thread, an endless loop is cut off by the deadline, an
// allocation without end hits the thread's memory limit, and what it changes in its inputs, the sources or
// Object.prototype stays in its own realm (inputs arrive structured-cloned).
//
// Deadlines. A batch carries a tick's narratives; the plug-in evaluates them one after the other, each asynchronous
// answer raced against the entry's timeoutMs inside the worker (as in this thread). The worker counts finished items
// in shared memory; a watchdog here looks every timeoutMs + GRACE_MS, and an item that made no progress over a whole
// look is stuck (a synchronous loop): the thread is terminated, that item fails ("timed out … stuck"), and the rest
// go to a new thread. So a stuck item is failed between timeoutMs and 2 × timeoutMs (+ grace) after it started, and a
// batch's total time is bounded by its length × that, never by the plug-in. After MAX_FAILURES_PER_TICK crashes or
// stuck items in one tick, the items left fail without being tried (a plug-in that dies on every narrative costs
// three restarts a tick, not one per narrative). A crash loses the answers of the batch's earlier items, which
// the new thread evaluates again.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { MagusJudgeContext, StrategySources } from '../core/strategy.js';
import { describeThrown, readOpinion, type EvalItem, type RunContext, type StrategyOutcome, type StrategyRunner } from './strategy-runner.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

/** How long a plug-in module may take to import in its thread. */
export const LOAD_TIMEOUT_MS = 10_000;
/** Slack for the thread's own scheduling before an item without progress counts as stuck. */
export const GRACE_MS = 250;
export const MAX_FAILURES_PER_TICK = 3;
/** Data source calls one batch may make: generous for a real strategy, a wall for one that spins on them. */
const MAX_CALLS_PER_ITEM = 20;
const MAX_CALLS_BASE = 200;
/** How often the process's memory is checked while a plug-in's batch runs. */
const MEMORY_CHECK_MS = 100;
/**
 * The growth of the agent's resident memory one batch may cause: the thread's heap (old and young generations) and
 * its buffers. resourceLimits bounds only the heap: buffers (Buffer.alloc, ArrayBuffer) live outside it, and a
 * plug-in holding them grew the agent to 15 GB before its deadline.
 */
export function offHeapAllowanceBytes(memoryMb: number): number {
  return (3 * memoryMb + 256) * 2 ** 20;
}

export interface WorkerRunnerOptions {
  /** The name the plug-in gave itself (at load time). */
  name: string;
  /** Absolute path of the module. */
  path: string;
  weight: number;
  timeoutMs: number;
  /** The thread's heap limit (V8 old generation), in MB. */
  memoryMb: number;
  options: Readonly<Record<string, unknown>>;
  /** How long the module may take to import (default LOAD_TIMEOUT_MS). */
  loadTimeoutMs?: number;
}

/** What the module's default export looked like, read inside its thread. */
export interface PluginInfo {
  name: string | null;
  hasEvaluate: boolean;
  /** null when absent; -1 when present but not a number. */
  interfaceVersion: number | null;
}

type Attempt =
  | { kind: 'done'; outcomes: unknown }
  /** The item at `at` (an index into the batch sent) crashed the thread or got stuck. */
  | { kind: 'failed'; at: number; error: string }
  /** The thread could not take the batch at all (did not load, could not be sent). */
  | { kind: 'unavailable'; error: string }
  | { kind: 'aborted' };

/** The worker's compiled entry. Under the test runner this module is the TypeScript source, so the build's copy runs. */
function workerEntry(): URL {
  const beside = new URL('./strategy-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  const built = new URL('../../dist/src/engine/strategy-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error(`the strategy worker script is missing (${fileURLToPath(beside)}): run \`npm run build\``);
}

type SourceCall = Extract<FromWorker, { type: 'call' }>;

/** A judge context a plug-in sent, when it has the shape the prompt reads (anything else is left out). */
function checkedJudgeContext(v: unknown): MagusJudgeContext | null {
  if (!v || typeof v !== 'object') return null;
  const c = v as Record<string, unknown>;
  const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  const deadlineMs = c.deadlineMs === null ? null : finite(c.deadlineMs) ? c.deadlineMs : undefined;
  if (deadlineMs === undefined) return null;
  const p = c.price as Record<string, unknown> | null | undefined;
  if (!p || typeof p !== 'object' || typeof p.asset !== 'string' || !finite(p.spot) || !finite(p.level) || !finite(p.modelPTrue)) return { deadlineMs };
  if ((p.kind !== 'close' && p.kind !== 'touch') || (p.direction !== 'above' && p.direction !== 'below')) return { deadlineMs };
  return { deadlineMs, price: { asset: p.asset.slice(0, 32), spot: p.spot, level: p.level, kind: p.kind, direction: p.direction, modelPTrue: p.modelPTrue } };
}

/** Calls the real source a plug-in asked for from its thread; only the approved calls, with checked arguments. */
function invokeSource(sources: StrategySources, msg: SourceCall, signal: AbortSignal): Promise<unknown> {
  const { source, method, args } = msg;
  const [a, b] = Array.isArray(args) ? args : [];
  if (source === 'prices' && sources.prices) {
    if (method === 'price' && typeof a === 'string') return sources.prices.price(a, signal);
    if (method === 'history' && typeof a === 'string' && typeof b === 'number' && Number.isFinite(b)) return sources.prices.history(a, b, signal);
  }
  if (source === 'narratives' && sources.narratives && method === 'details' && typeof a === 'string') return sources.narratives.details(a, signal);
  const magus = sources.magus;
  if (source === 'magus' && magus) {
    const n = a as Record<string, unknown> | null;
    if (method === 'judge' && n && typeof n === 'object' && ['id', 'title', 'thesis', 'category'].every((k) => typeof n[k] === 'string')) {
      const { maxAgeMs, context } = (b ?? {}) as { maxAgeMs?: unknown; context?: unknown };
      const judgeContext = checkedJudgeContext(context);
      return magus.judge(n as never, { maxAgeMs: typeof maxAgeMs === 'number' && maxAgeMs >= 0 ? maxAgeMs : 0, signal, ...(judgeContext ? { context: judgeContext } : {}) });
    }
    if (method === 'ask' && n && typeof n === 'object' && typeof n.content === 'string') {
      return magus.ask({ content: n.content, ...(typeof n.sessionId === 'string' ? { sessionId: n.sessionId } : {}) }, signal);
    }
  }
  return Promise.reject(new Error(`ctx.sources.${String(source)}.${String(method)}: not an approved data source here, or called with the wrong arguments`));
}

interface Batch {
  id: number;
  sources: StrategySources;
  calls: number;
  maxCalls: number;
  controller: AbortController;
  finish(a: Attempt): void;
}

/** One worker thread running one plug-in; replaced by a new one when it dies or gets stuck. */
class PluginThread {
  readonly progress = new Int32Array(new SharedArrayBuffer(4));
  readonly loaded: Promise<PluginInfo>;
  alive = true;
  private readonly worker: Worker;
  private batch: Batch | null = null;
  private lastError: string | null = null;
  private settleLoad!: { resolve(i: PluginInfo): void; reject(e: Error): void };

  constructor(private readonly o: WorkerRunnerOptions) {
    const init: WorkerInit = { path: o.path, timeoutMs: o.timeoutMs, options: { ...o.options }, progress: this.progress.buffer as SharedArrayBuffer };
    this.loaded = new Promise((resolve, reject) => (this.settleLoad = { resolve, reject }));
    this.loaded.catch(() => undefined);
    this.worker = new Worker(workerEntry(), {
      workerData: init,
      // No environment (it holds the API and Magus keys); a heap of its own size.
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: o.memoryMb, maxYoungGenerationSizeMb: Math.min(32, Math.max(4, Math.floor(o.memoryMb / 4))), stackSizeMb: 4 },
    });
    // An idle plug-in thread never keeps the agent alive; a batch in flight does (its watchdog timer).
    this.worker.unref();
    const loadTimeoutMs = o.loadTimeoutMs ?? LOAD_TIMEOUT_MS;
    const loadTimer = setTimeout(() => {
      this.settleLoad.reject(new Error(`it did not finish importing within ${loadTimeoutMs / 1000} s`));
      void this.terminate();
    }, loadTimeoutMs);
    this.loaded.finally(() => clearTimeout(loadTimer)).catch(() => undefined);
    this.worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    this.worker.on('error', (err) => {
      const code = (err as { code?: string }).code;
      this.lastError = code === 'ERR_WORKER_OUT_OF_MEMORY' ? `ran out of its memory limit (${o.memoryMb} MB)` : `threw outside evaluate: ${describeThrown(err)}`;
    });
    this.worker.on('exit', (code) => {
      this.alive = false;
      const why = this.lastError ? `crashed: ${this.lastError}` : `crashed: it ended its worker thread (exit code ${code})`;
      this.settleLoad.reject(new Error(why));
      const b = this.batch;
      if (b) b.finish({ kind: 'failed', at: Atomics.load(this.progress, 0), error: `${why}; its worker is restarted` });
    });
  }

  private onMessage(msg: FromWorker): void {
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'loaded') {
      this.settleLoad.resolve({ name: typeof msg.name === 'string' ? msg.name : null, hasEvaluate: msg.hasEvaluate === true, interfaceVersion: typeof msg.interfaceVersion === 'number' ? msg.interfaceVersion : null });
    } else if (msg.type === 'load-failed') {
      this.settleLoad.reject(new Error(`it threw while importing: ${describeThrown(msg.error)}`));
    } else if (msg.type === 'done') {
      if (this.batch && msg.id === this.batch.id) this.batch.finish({ kind: 'done', outcomes: msg.outcomes });
    } else if (msg.type === 'call') {
      this.onCall(msg);
    }
  }

  private reply(r: Extract<ToWorker, { type: 'reply' }>): void {
    try {
      this.worker.postMessage(r);
    } catch (err) {
      if (r.ok) this.reply({ type: 'reply', id: r.id, ok: false, error: `the answer could not be sent to the plug-in (${describeThrown(err)})` });
    }
  }

  private onCall(msg: SourceCall): void {
    const b = this.batch;
    const id = msg.id;
    if (!b) return this.reply({ type: 'reply', id, ok: false, error: 'data sources answer only while the plug-in evaluates a tick' });
    if (++b.calls > b.maxCalls) return this.reply({ type: 'reply', id, ok: false, error: `too many data source calls in one tick (the limit is ${b.maxCalls})` });
    invokeSource(b.sources, msg, b.controller.signal).then(
      (value) => this.reply({ type: 'reply', id, ok: true, value }),
      (err: unknown) => {
        const code = (err as { code?: unknown } | null)?.code;
        this.reply({ type: 'reply', id, ok: false, error: describeThrown(err), ...(typeof code === 'string' ? { code } : {}) });
      },
    );
  }

  /** Sends one batch and waits for its outcomes, a crash, the watchdog or the agent's shutdown. */
  run(id: number, items: readonly EvalItem[], ctx: RunContext, signal?: AbortSignal): Promise<Attempt> {
    return new Promise<Attempt>((resolve) => {
      const interval = this.o.timeoutMs + GRACE_MS;
      let seen = 0;
      let timer: NodeJS.Timeout;
      // buffers outside the thread's heap limit: the worker is stopped once the agent grows past the allowance
      const rssLimit = process.memoryUsage.rss() + offHeapAllowanceBytes(this.o.memoryMb);
      const memoryTimer = setInterval(() => {
        if (process.memoryUsage.rss() <= rssLimit) return;
        void this.terminate();
        batch.finish({ kind: 'failed', at: Atomics.load(this.progress, 0), error: `used more than ${offHeapAllowanceBytes(this.o.memoryMb) / 2 ** 20} MB of the agent's memory (buffers outside its ${this.o.memoryMb} MB heap): its worker was stopped and is restarted` });
      }, MEMORY_CHECK_MS);
      memoryTimer.unref();
      const onAbort = () => {
        void this.terminate();
        batch.finish({ kind: 'aborted' });
      };
      const batch: Batch = {
        id, sources: ctx.sources, calls: 0, maxCalls: MAX_CALLS_BASE + MAX_CALLS_PER_ITEM * items.length, controller: new AbortController(),
        finish: (a) => {
          if (this.batch !== batch) return;
          this.batch = null;
          clearTimeout(timer);
          clearInterval(memoryTimer);
          signal?.removeEventListener('abort', onAbort);
          batch.controller.abort();
          resolve(a);
        },
      };
      const watch = () => {
        const done = Atomics.load(this.progress, 0);
        if (done !== seen) {
          seen = done;
          timer = setTimeout(watch, interval);
          return;
        }
        void this.terminate();
        batch.finish({ kind: 'failed', at: done, error: `timed out after ${this.o.timeoutMs} ms (stuck: its worker was stopped and is restarted)` });
      };
      this.batch = batch;
      Atomics.store(this.progress, 0, 0);
      timer = setTimeout(watch, interval);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        this.worker.postMessage({
          type: 'batch', id, nowMs: ctx.nowMs,
          items: items.map((i) => ({ narrative: i.narrative, history: i.history })),
          sources: { prices: !!ctx.sources.prices, magus: !!ctx.sources.magus, narratives: !!ctx.sources.narratives },
        } satisfies ToWorker);
      } catch (err) {
        batch.finish({ kind: 'unavailable', error: `the narratives could not be sent to its worker (${describeThrown(err)})` });
      }
    });
  }

  async terminate(): Promise<void> {
    this.alive = false;
    try {
      await this.worker.terminate();
    } catch {
      // already gone
    }
  }
}

function untilAborted<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('stopped: the agent is shutting down'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Checks an outcome that came back from the plug-in's thread: it is the plug-in's data, so it is read like an opinion. */
function checkOutcome(o: unknown, durationMs: number): StrategyOutcome {
  const v = o as { ok?: unknown; opinion?: unknown; error?: unknown; durationMs?: unknown } | null;
  const ms = typeof v?.durationMs === 'number' && Number.isFinite(v.durationMs) && v.durationMs >= 0 ? v.durationMs : durationMs;
  if (v?.ok === true) {
    const read = readOpinion(v.opinion);
    return 'error' in read ? { ok: false, error: read.error, durationMs: ms } : { ok: true, opinion: read.opinion, durationMs: ms };
  }
  return { ok: false, error: typeof v?.error === 'string' ? v.error.slice(0, 500) : 'failed without saying why', durationMs: ms };
}

export class WorkerRunner implements StrategyRunner {
  readonly name: string;
  readonly weight: number;
  private thread: PluginThread | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private batches = 0;

  constructor(private readonly o: WorkerRunnerOptions) {
    this.name = o.name;
    this.weight = o.weight;
  }

  /** Starts the thread (when none runs) and resolves with what the module exports, or rejects saying why it did not load. */
  load(): Promise<PluginInfo> {
    return this.ensureThread().loaded;
  }

  evaluateAll(items: readonly EvalItem[], ctx: RunContext, signal?: AbortSignal): Promise<StrategyOutcome[]> {
    // One batch at a time per thread; a second caller waits its turn.
    const run = this.queue.then(() => this.runAll(items, ctx, signal)).catch((err: unknown) =>
      items.map((): StrategyOutcome => ({ ok: false, error: `the plug-in runner failed: ${describeThrown(err)}`, durationMs: 0 })));
    this.queue = run;
    return run;
  }

  async close(): Promise<void> {
    const t = this.thread;
    this.thread = null;
    await t?.terminate();
  }

  private ensureThread(): PluginThread {
    if (!this.thread?.alive) this.thread = new PluginThread(this.o);
    return this.thread;
  }

  private async runAll(items: readonly EvalItem[], ctx: RunContext, signal?: AbortSignal): Promise<StrategyOutcome[]> {
    const out: (StrategyOutcome | undefined)[] = Array.from({ length: items.length }, () => undefined);
    let pending = items.map((_, i) => i);
    let failures = 0;
    while (pending.length && !signal?.aborted) {
      if (failures >= MAX_FAILURES_PER_TICK) {
        for (const i of pending) out[i] = { ok: false, error: `not evaluated: the plug-in crashed or got stuck ${failures} times this tick`, durationMs: 0 };
        break;
      }
      const started = performance.now();
      const attempt = await this.attempt(pending.map((i) => items[i]!), ctx, signal);
      const ms = Math.round((performance.now() - started) * 100) / 100;
      if (attempt.kind === 'aborted') break;
      if (attempt.kind === 'unavailable') {
        for (const i of pending) out[i] = { ok: false, error: attempt.error, durationMs: ms };
        break;
      }
      if (attempt.kind === 'done') {
        const outcomes = Array.isArray(attempt.outcomes) && attempt.outcomes.length === pending.length ? attempt.outcomes : null;
        pending.forEach((i, k) => (out[i] = outcomes ? checkOutcome(outcomes[k], ms) : { ok: false, error: 'its worker answered with the wrong number of outcomes', durationMs: ms }));
        break;
      }
      failures++;
      const at = Math.min(Math.max(0, attempt.at), pending.length - 1);
      out[pending[at]!] = { ok: false, error: attempt.error, durationMs: ms };
      pending = pending.filter((_, k) => k !== at);
    }
    return out.map((o) => o ?? { ok: false, error: 'stopped: the agent is shutting down', durationMs: 0 });
  }

  private async attempt(items: readonly EvalItem[], ctx: RunContext, signal?: AbortSignal): Promise<Attempt> {
    let thread: PluginThread | undefined;
    let info: PluginInfo;
    try {
      thread = this.ensureThread();
      info = await untilAborted(thread.loaded, signal);
    } catch (err) {
      if (signal?.aborted) return { kind: 'aborted' };
      void thread?.terminate();
      this.thread = null;
      return { kind: 'unavailable', error: `the plug-in did not load: ${describeThrown(err)}` };
    }
    if (!info.hasEvaluate) return { kind: 'unavailable', error: 'the plug-in no longer exports evaluate()' };
    const attempt = await thread.run(++this.batches, items, ctx, signal);
    if (!thread.alive && this.thread === thread) this.thread = null;
    return attempt;
  }
}
