// How one strategy is run over a tick's narratives. The host holds one runner per configured strategy; a runner
// evaluates every narrative of the tick in one call, so that a runner in another thread (plug-ins) costs one message
// per tick, not one per narrative. A runner never throws: every failure (a throw, a timeout, garbage) is an outcome.
import type { Narrative, NarrativeSnapshot } from '../core/narrative.js';
import { opinionProblem, type Opinion, type Strategy, type StrategySources } from '../core/strategy.js';

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

/** Reads a value a strategy returned, once and defensively: getters that throw and odd prototypes end as an error. */
export function readOpinion(value: unknown): { opinion: Opinion | null } | { error: string } {
  try {
    if (value === null || value === undefined) return { opinion: null };
    if (typeof value !== 'object') return { error: `invalid opinion: returned ${typeof value}, not an opinion object` };
    const v = value as Record<string, unknown>;
    // Copy each field once: a getter is called exactly once, and what is checked is what is used.
    const copy: Record<string, unknown> = { pTrue: v.pTrue, confidence: v.confidence };
    const rationale = v.rationale;
    if (rationale !== undefined) copy.rationale = rationale;
    const verdict = v.verdict;
    if (verdict !== undefined) {
      const w = verdict as Record<string, unknown> | null;
      copy.verdict = w && typeof w === 'object' ? { resolution: w.resolution, confidence: w.confidence, evidence: w.evidence } : w;
    }
    const problem = opinionProblem(copy);
    if (problem) return { error: `invalid opinion: ${problem}` };
    const opinion = copy as unknown as Opinion;
    if (opinion.rationale !== undefined) opinion.rationale = opinion.rationale.slice(0, 1000);
    return { opinion };
  } catch (err) {
    return { error: `invalid opinion: reading it threw (${describeThrown(err)})` };
  }
}

/** A thrown value as text, whatever it is (an Error, a string, an object whose toString throws). */
export function describeThrown(err: unknown): string {
  try {
    if (err instanceof Error) return String(err.message).slice(0, 500);
    if (typeof err === 'string') return err.slice(0, 500);
    return String(err).slice(0, 500);
  } catch {
    return 'a value that cannot be shown';
  }
}

/** Whether a returned value is a promise; reading `then` is the strategy's code too (a getter may throw). */
function thenableOf(v: unknown): { thenable: boolean } | { error: unknown } {
  try {
    return { thenable: v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function' };
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
    const out: StrategyOutcome[] = [];
    const clock = { now: () => ctx.nowMs };
    for (const item of items) {
      if (signal?.aborted) {
        out.push({ ok: false, error: 'stopped: the agent is shutting down', durationMs: 0 });
        continue;
      }
      out.push(await this.evaluateOne(item, clock, ctx.sources, signal));
    }
    return out;
  }

  private async evaluateOne(item: EvalItem, clock: { now(): number }, sources: StrategySources, outer?: AbortSignal): Promise<StrategyOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
    let own: AbortController | undefined;
    const ownSignal = () => {
      own ??= new AbortController();
      if (outer?.aborted) own.abort();
      return own.signal;
    };
    const ctx = {
      history: item.history, clock, options: this.options, sources,
      get signal() {
        return ownSignal();
      },
    };
    let value: unknown;
    try {
      value = this.strategy.evaluate(item.narrative, ctx);
    } catch (err) {
      return { ok: false, error: `threw: ${describeThrown(err)}`, durationMs: elapsed() };
    }
    const kind = thenableOf(value);
    if ('error' in kind) return { ok: false, error: `invalid opinion: reading it threw (${describeThrown(kind.error)})`, durationMs: elapsed() };
    if (kind.thenable) {
      const settled = await raceTimeout(value as PromiseLike<unknown>, this.timeoutMs, outer);
      if (settled.kind !== 'value') {
        own?.abort();
        return { ok: false, error: settled.kind === 'timeout' ? `timed out after ${this.timeoutMs} ms` : settled.kind === 'aborted' ? 'stopped: the agent is shutting down' : `threw: ${describeThrown(settled.error)}`, durationMs: elapsed() };
      }
      value = settled.value;
    }
    const read = readOpinion(value);
    return 'error' in read ? { ok: false, error: read.error, durationMs: elapsed() } : { ok: true, opinion: read.opinion, durationMs: elapsed() };
  }
}

type Settled = { kind: 'value'; value: unknown } | { kind: 'error'; error: unknown } | { kind: 'timeout' } | { kind: 'aborted' };

function raceTimeout(p: PromiseLike<unknown>, ms: number, outer?: AbortSignal): Promise<Settled> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (s: Settled) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
      resolve(s);
    };
    const onAbort = () => finish({ kind: 'aborted' });
    const timer = setTimeout(() => finish({ kind: 'timeout' }), ms);
    if (outer?.aborted) return onAbort();
    outer?.addEventListener('abort', onAbort, { once: true });
    try {
      p.then((value) => finish({ kind: 'value', value }), (error: unknown) => finish({ kind: 'error', error }));
    } catch (error) {
      finish({ kind: 'error', error });
    }
  });
}
