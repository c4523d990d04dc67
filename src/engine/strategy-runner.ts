// How one strategy is run over a tick's narratives. The host holds one runner per configured strategy; a runner
// evaluates every narrative of the tick in one call, so that a runner in another thread (plug-ins) costs one message
// per tick, not one per narrative. A runner never throws: every failure (a throw, a timeout, garbage) is an outcome.
import type { Narrative, NarrativeSnapshot } from '../core/narrative.js';
import { cutText, MAX_OPINION_TEXT, opinionProblem, rationaleOf, type Opinion, type Strategy, type StrategyContext, type StrategySources } from '../core/strategy.js';

export interface EvalItem {
  narrative: Readonly<Narrative>;
  /** Earlier snapshots of this narrative, oldest first, none later than now. */
  history: readonly NarrativeSnapshot[];
}

export interface RunContext {
  /** The tick's time (ms since the epoch; simulated in backtests). */
  nowMs: number;
  sources: StrategySources;
}

export type StrategyOutcome =
  | { ok: true; opinion: Opinion | null; durationMs: number }
  | { ok: false; error: string; durationMs: number };

export interface StrategyRunner {
  readonly name: string;
  readonly weight: number;
  /** One outcome per item, in the items' order. Never rejects; stops early (outcomes say why) when `signal` aborts. */
  evaluateAll(items: readonly EvalItem[], ctx: RunContext, signal?: AbortSignal): Promise<StrategyOutcome[]>;
  close?(): Promise<void>;
}

export { cutText, MAX_OPINION_TEXT };

/** Reads a value a strategy returned, once and defensively: getters that throw and odd prototypes end as an error. */
export function readOpinion(value: unknown): { opinion: Opinion | null } | { error: string } {
  const read = opinionOrProblem(value);
  return typeof read === 'string' ? { error: read } : { opinion: read };
}

/**
 * readOpinion without the wrapper (the in-process path makes no object it does not keep): the opinion, or the problem.
 * Given the strategy's name, the copy is made in the shape of the opinion record the host keeps of it (the host then
 * keeps this very object instead of making another).
 */
function opinionOrProblem(value: unknown, strategy?: string): Opinion | null | string {
  try {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'object') return `invalid opinion: returned ${typeof value}, not an opinion object`;
    const v = value as Record<string, unknown>;
    // Copy each field once: a getter is called exactly once, and what is checked is what is used.
    const copy: Record<string, unknown> = strategy === undefined
      ? { pTrue: v.pTrue, confidence: v.confidence }
      : { strategy, pTrue: v.pTrue, confidence: v.confidence, rationale: undefined, explain: undefined, verdict: undefined, durationMs: 0 };
    const rationale = v.rationale;
    if (rationale !== undefined) copy.rationale = rationale;
    else {
      const explain = v.explain;
      if (explain !== undefined) copy.explain = explain;
    }
    const verdict = v.verdict;
    if (verdict !== undefined) {
      const w = verdict as Record<string, unknown> | null;
      copy.verdict = w && typeof w === 'object' ? { resolution: w.resolution, confidence: w.confidence, evidence: w.evidence } : w;
    }
    const problem = opinionProblem(copy);
    if (problem) return `invalid opinion: ${problem}`;
    const opinion = copy as unknown as Opinion;
    // Text is cut here, once: what a strategy returns is stored per narrative and may cross threads.
    if (opinion.rationale !== undefined) opinion.rationale = cutText(opinion.rationale, MAX_OPINION_TEXT);
    else if (opinion.explain !== undefined && strategy === undefined) {
      // Read here, where the opinion is plain data (a plug-in's, in its own thread): written now, as a rationale.
      opinion.rationale = rationaleOf(opinion);
      delete opinion.explain;
    }
    if (opinion.verdict) opinion.verdict.evidence = cutText(opinion.verdict.evidence, MAX_OPINION_TEXT);
    return opinion;
  } catch (err) {
    return `invalid opinion: reading it threw (${describeThrown(err)})`;
  }
}

/** A thrown value as text, whatever it is (an Error, a string, an object whose toString throws). */
export function describeThrown(err: unknown): string {
  try {
    if (err instanceof Error) return cutText(String(err.message), 500);
    if (typeof err === 'string') return cutText(err, 500);
    return cutText(String(err), 500);
  } catch {
    return 'a value that cannot be shown';
  }
}

/** Whether a returned value is a promise; reading `then` is the strategy's code too (a getter may throw: its error). */
function thenableOf(v: unknown): boolean | { error: unknown } {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return false;
  try {
    return typeof (v as { then?: unknown }).then === 'function';
  } catch (error) {
    return { error };
  }
}

/**
 * Runs a strategy in this thread (the built-ins). A synchronous answer costs no timer and no abort controller; an
 * asynchronous one races the strategy's timeout, and its signal is created only when the strategy reads it.
 */
export class InProcessRunner implements StrategyRunner {
  readonly name: string;

  constructor(
    private readonly strategy: Strategy,
    readonly weight: number,
    private readonly timeoutMs: number,
    private readonly options: Readonly<Record<string, unknown>>,
  ) {
    this.name = strategy.name;
  }

  async evaluateAll(items: readonly EvalItem[], ctx: RunContext, signal?: AbortSignal): Promise<StrategyOutcome[]> {
    const out: StrategyOutcome[] = new Array(items.length);
    const guard = new BatchGuard(this.timeoutMs, signal);
    // One context for the batch: items are evaluated one after another, and only `history` changes between them.
    // The signal is made only when a strategy reads it (most never do).
    const context: { -readonly [K in keyof StrategyContext]: StrategyContext[K] } = { history: items[0]?.history ?? [], clock: { now: () => ctx.nowMs }, options: this.options, sources: ctx.sources, get signal() { return guard.signal; } };
    // Synchronous answers are timed together, not each: a run of them ends at an asynchronous answer or at the batch's
    // end, and each answer of the run is given the run's mean (a clock read per answer cost 2% of a backtest).
    // (No closure over `out` here: with one, three times the bytes left the young generation in a backtest, and its
    // garbage-collection time doubled.)
    let started = performance.now();
    let runFrom = 0;
    try {
      for (let i = 0; i < items.length; i++) {
        if (guard.aborted) {
          // Shutdown: the run so far ends here, and what is left is not evaluated (and takes no share of the time).
          shareTime(out, runFrom, i, performance.now() - started);
          for (let j = i; j < items.length; j++) out[j] = { ok: false, error: 'stopped: the agent is shutting down', durationMs: 0 };
          runFrom = items.length;
          break;
        }
        context.history = items[i]!.history;
        // A synchronous answer is read at once: no promise per narrative (most strategies, most narratives).
        const first = this.evaluateOne(items[i]!.narrative, context);
        if (!('pending' in first)) {
          out[i] = first;
          continue;
        }
        // The run so far, this item's synchronous part included, ends here; then its wait is its own (and its timeout
        // counts from here: a strategy's synchronous part is not its waiting).
        const now = performance.now();
        const share = shareTime(out, runFrom, i, now - started, i + 1 - runFrom);
        const outcome = await this.settle(first.pending, guard, now);
        const ended = performance.now();
        outcome.durationMs = Math.round((share + ended - now) * 100) / 100;
        out[i] = outcome;
        started = ended;
        runFrom = i + 1;
      }
      shareTime(out, runFrom, items.length, performance.now() - started);
    } finally {
      guard.dispose();
    }
    return out;
  }

  private evaluateOne(narrative: Readonly<Narrative>, context: StrategyContext): StrategyOutcome | { pending: PromiseLike<unknown> } {
    let value: unknown;
    try {
      value = this.strategy.evaluate(narrative, context);
    } catch (err) {
      return { ok: false, error: `threw: ${describeThrown(err)}`, durationMs: 0 };
    }
    const thenable = thenableOf(value);
    if (thenable === true) return { pending: value as PromiseLike<unknown> };
    if (thenable !== false) return { ok: false, error: `invalid opinion: reading it threw (${describeThrown(thenable.error)})`, durationMs: 0 };
    return outcomeOf(value, this.name);
  }

  /** An asynchronous answer, raced against the strategy's timeout and the tick's signal. */
  private async settle(pending: PromiseLike<unknown>, guard: BatchGuard, started: number): Promise<StrategyOutcome> {
    const settled = await guard.race(pending, started);
    if (settled.kind !== 'value') {
      return { ok: false, error: settled.kind === 'timeout' ? `timed out after ${this.timeoutMs} ms` : settled.kind === 'aborted' ? 'stopped: the agent is shutting down' : `threw: ${describeThrown(settled.error)}`, durationMs: 0 };
    }
    return outcomeOf(settled.value, this.name);
  }
}

/**
 * Splits `ms` (a run of synchronous answers, timed together) into `parts` equal shares, gives one to each of
 * `out[from..end)` and returns the share (`parts` may count one more: the answer that ended the run by waiting).
 */
function shareTime(out: StrategyOutcome[], from: number, end: number, ms: number, parts = end - from): number {
  if (parts === 0) return 0;
  const each = Math.round((ms / parts) * 100) / 100;
  if (each !== 0) for (let j = from; j < end; j++) out[j]!.durationMs += each;
  return each;
}

function outcomeOf(value: unknown, strategy: string): StrategyOutcome {
  const read = opinionOrProblem(value, strategy);
  return typeof read === 'string' ? { ok: false, error: read, durationMs: 0 } : { ok: true, opinion: read, durationMs: 0 };
}

type Settled = { kind: 'value'; value: unknown } | { kind: 'error'; error: unknown } | { kind: 'timeout' } | { kind: 'aborted' };

/**
 * The timeout and shutdown watch of one batch: one abort listener and one timer for the whole batch (re-armed only
 * when it fires before the item in flight is due), instead of a timer, a listener and a controller per call. A batch
 * of synchronous answers (most) needs neither: it reads the tick's signal between items, and the listener and the
 * timer are set up only when an answer must be waited for or a strategy reads the signal (adding and removing an
 * abort listener per batch cost 6% of a backtest's fixed cost per tick).
 */
class BatchGuard {
  private stopped = false;
  /**
   * What a strategy's slow source calls listen to: aborted at its timeout (then replaced) or at shutdown. Made when a
   * strategy first reads it, and never kept past the batch: every call a source makes registers on it (an
   * AbortSignal.any per HTTP call), and a signal kept for the daemon's life grew the heap by 1.5 MB over 5,000 ticks.
   */
  private controller: AbortController | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending: { due: number; finish: (s: Settled) => void } | null = null;
  /** The listener on the tick's signal, once one is needed. */
  private onAbort: (() => void) | null = null;
  private disposed = false;

  constructor(private readonly ms: number, private readonly outer?: AbortSignal) {}

  /** The tick was abandoned (shutdown): what is left of the batch is not evaluated. */
  get aborted(): boolean {
    return this.stopped || this.outer?.aborted === true;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      this.listen();
      if (this.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }

  /**
   * From now on a shutdown also aborts the signal handed out and ends the wait in flight. Not after the batch: a
   * strategy that reads the signal later (a prefetch it started) would leave a listener on the daemon's signal.
   */
  private listen(): void {
    if (this.onAbort || !this.outer || this.disposed) return;
    this.onAbort = () => {
      this.stopped = true;
      this.fire();
      this.pending?.finish({ kind: 'aborted' });
    };
    this.outer.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Waits for `p`, at most until `ms` after `started` (performance.now()), or until shutdown. */
  race(p: PromiseLike<unknown>, started: number): Promise<Settled> {
    if (this.aborted) return Promise.resolve({ kind: 'aborted' });
    this.listen();
    return new Promise((resolve) => {
      let done = false;
      const finish = (s: Settled) => {
        if (done) return;
        done = true;
        if (this.pending?.finish === finish) this.pending = null;
        resolve(s);
      };
      this.pending = { due: started + this.ms, finish };
      this.timer ??= setTimeout(() => this.onTimer(), this.ms);
      try {
        p.then((value) => finish({ kind: 'value', value }), (error: unknown) => finish({ kind: 'error', error }));
      } catch (error) {
        finish({ kind: 'error', error });
      }
    });
  }

  private onTimer(): void {
    this.timer = null;
    const p = this.pending;
    if (!p) return;
    const left = p.due - performance.now();
    if (left <= 0) {
      p.finish({ kind: 'timeout' });
      // the timed-out strategy's calls stop; the next item gets a fresh signal
      this.fire();
    } else this.timer = setTimeout(() => this.onTimer(), left);
  }

  /** Aborts the signal handed out; the next reader gets a fresh one. */
  private fire(): void {
    const c = this.controller;
    this.controller = null;
    c?.abort();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.onAbort) this.outer?.removeEventListener('abort', this.onAbort);
  }
}
