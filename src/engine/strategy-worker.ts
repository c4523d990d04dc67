// The worker thread a plug-in strategy (loaded by path) runs in; src/engine/worker-runner.ts starts it. It imports
// the module, says what it found, then evaluates one batch per message (a tick's narratives, structured-cloned, so
// nothing the plug-in changes reaches the daemon or another strategy). It marks each finished item in shared memory,
// so the main thread can tell a plug-in stuck in a loop from a slow one without a message per item. Data sources are
// proxies: each call is a message to the main thread, which calls the real source and answers.
import { createRequire, register, syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { Strategy, StrategySources } from '../core/strategy.js';
import { rationaleOf } from '../core/strategy.js';
import { describeThrown, InProcessRunner, type EvalItem, type StrategyOutcome } from './strategy-runner.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const progress = new Int32Array(init.progress);
const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
let nextCall = 1;

// A plug-in's stray promise must not end its own thread (and so every later tick's work): it is dropped here.
process.on('unhandledRejection', () => {});

// Nor may it end or signal the agent's process from its thread (process.exit only ends the thread, already).
// `_kill` is what process.kill calls; `binding` and `dlopen` reach Node's internals and native code (a raw spawn, a kill).
for (const name of ['abort', 'kill', '_kill', 'binding', '_linkedBinding', 'dlopen'] as const) {
  Object.defineProperty(process, name, {
    value: () => {
      throw new Error(`process.${name}() is not available to a strategy`);
    },
    writable: false, configurable: false,
  });
}

// Nor start threads or processes of its own: they would run outside this thread's memory limit and deadline, and
// outlive a restart. A strategy is pure (README "Strategies"); its I/O goes through ctx.sources. The built-in modules'
// exports are replaced before the plug-in is imported, and syncBuiltinESMExports makes `import { Worker }` see it.
function refuse(what: string): () => never {
  return function refused() {
    throw new Error(`${what} is not available to a strategy (it would run outside the strategy's memory limit and deadline)`);
  };
}
{
  const require = createRequire(import.meta.url);
  const threads = require('node:worker_threads') as Record<string, unknown>;
  threads.Worker = refuse('worker_threads.Worker');
  // The agent's port and init data are this module's (taken above): a plug-in cannot post as the worker.
  threads.parentPort = null;
  threads.workerData = null;
  const children = require('node:child_process') as Record<string, unknown>;
  for (const fn of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) children[fn] = refuse(`child_process.${fn}()`);
  const cluster = require('node:cluster') as Record<string, unknown>;
  cluster.fork = refuse('cluster.fork()');
  syncBuiltinESMExports();
}

function send(msg: FromWorker): void {
  port.postMessage(msg);
}

function call(source: string, method: string, args: unknown[]): Promise<unknown> {
  const id = nextCall++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    try {
      send({ type: 'call', id, source, method, args });
    } catch (err) {
      pending.delete(id);
      reject(new Error(`ctx.sources.${source}.${method}: its arguments cannot be sent to the agent (${describeThrown(err)})`));
    }
  });
}

function sourcesFor(available: { prices: boolean; magus: boolean; narratives?: boolean }): StrategySources {
  const sources: Record<string, unknown> = {};
  if (available.prices) {
    sources.prices = Object.freeze({
      price: (asset: string) => call('prices', 'price', [asset]),
      history: (asset: string, sinceMs: number) => call('prices', 'history', [asset, sinceMs]),
    });
  }
  if (available.magus) {
    // A signal cannot cross threads: the agent cancels the call with the batch's own (timeout, shutdown).
    const ask = (req: unknown) => call('magus', 'ask', [req]);
    const judge = (narrative: unknown, options?: { maxAgeMs?: unknown; context?: unknown }) => call('magus', 'judge', [narrative, { maxAgeMs: options?.maxAgeMs, context: options?.context }]);
    sources.magus = Object.freeze({ judge, ask });
  }
  if (available.narratives) sources.narratives = Object.freeze({ details: (id: string) => call('narratives', 'details', [id]) });
  return Object.freeze(sources);
}

async function load(): Promise<Strategy | null> {
  let mod: { default?: unknown };
  try {
    // `import … from 'magma-agent/strategy'` in the plug-in is this agent's SDK, wherever the plug-in lives
    register(new URL('./plugin-resolve-hooks.js', import.meta.url), { data: { sdkUrl: new URL('../sdk/strategy.js', import.meta.url).href } });
    mod = (await import(pathToFileURL(init.path).href)) as { default?: unknown };
  } catch (err) {
    send({ type: 'load-failed', error: describeThrown(err) });
    return null;
  }
  // Read the export's fields once, each guarded: a getter that throws is a module that is not a strategy.
  let name: unknown, evaluate: unknown, interfaceVersion: unknown;
  try {
    const s = mod.default as Record<string, unknown> | null | undefined;
    if (s && typeof s === 'object') ({ name, evaluate, interfaceVersion } = { name: s.name, evaluate: s.evaluate, interfaceVersion: s.interfaceVersion });
  } catch {
    name = undefined;
  }
  send({
    type: 'loaded',
    name: typeof name === 'string' ? name : null,
    hasEvaluate: typeof evaluate === 'function',
    interfaceVersion: typeof interfaceVersion === 'number' ? interfaceVersion : interfaceVersion === undefined ? null : -1,
  });
  if (typeof name !== 'string' || typeof evaluate !== 'function') return null;
  return { name, evaluate: evaluate as Strategy['evaluate'] };
}

async function runBatch(runner: InProcessRunner, id: number, items: EvalItem[], nowMs: number, available: { prices: boolean; magus: boolean; narratives?: boolean }): Promise<void> {
  const ctx = { nowMs, sources: sourcesFor(available) };
  const outcomes: StrategyOutcome[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    let outcome: StrategyOutcome;
    try {
      Object.freeze(item.narrative);
      Object.freeze(item.history);
      [outcome] = (await runner.evaluateAll([item], ctx)) as [StrategyOutcome];
      // A rationale left to `explain` is written here, in the plug-in's thread: a function cannot cross to the agent.
      const opinion = outcome.ok ? outcome.opinion : null;
      if (opinion?.explain) {
        opinion.rationale = rationaleOf(opinion);
        delete opinion.explain;
      }
    } catch (err) {
      // The runner never rejects; should the plug-in find a way, this item fails and the batch still answers.
      outcome = { ok: false, error: `threw: ${describeThrown(err)}`, durationMs: 0 };
    }
    outcomes.push(outcome);
    Atomics.store(progress, 0, i + 1);
  }
  try {
    send({ type: 'done', id, outcomes });
  } catch (err) {
    // Outcomes are plain data read by readOpinion; should one still not clone, the batch fails as a whole, clearly.
    const error = `its answer could not be sent to the agent (${describeThrown(err)})`;
    send({ type: 'done', id, outcomes: outcomes.map((o) => ({ ok: false, error, durationMs: o.durationMs })) });
  }
}

const strategy = await load();
if (strategy) {
  const runner = new InProcessRunner(strategy, 1, init.timeoutMs, Object.freeze(init.options));
  // Batches come one at a time (the main thread waits for 'done'); replies to source calls may come any time.
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'batch') {
      void runBatch(runner, msg.id, msg.items, msg.nowMs, msg.sources);
    } else if (msg.type === 'reply') {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(Object.assign(new Error(msg.error), msg.code ? { code: msg.code } : {}));
    }
  });
} else {
  // Nothing to run: the main thread reports the problem and ends this thread.
  port.close();
}
