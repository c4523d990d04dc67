// The strategy plug-in contract (INTERFACE.md "Strategies"). A strategy sees a narrow, read-only context and
// returns an opinion; the engine, never the strategy, turns opinions into stakes and verdicts.
import type { Narrative, NarrativeSnapshot } from './narrative.js';

/** The contract version this build speaks. A strategy without `interfaceVersion` is taken as version 1. */
export const STRATEGY_INTERFACE_VERSION = 1;

export interface Verdict {
  resolution: boolean;
  confidence: number;
  evidence: string;
}

export interface Opinion {
  /** Estimated probability that the narrative resolves TRUE, 0..1. */
  pTrue: number;
  /** How much this estimate is worth, 0..1: weights it in the ensemble. */
  confidence: number;
  rationale?: string;
  /**
   * The rationale, written only when the agent keeps it (used when `rationale` is absent). Most opinions are never
   * stored (a run of equal ones is one row; a backtest stores none), and the text is the costliest part of an opinion
   * to make. Called at most once, after `evaluate` returned: it must not depend on anything that changes meanwhile.
   * A plug-in's is called in its own thread, before its opinion crosses to the agent.
   */
  explain?: () => string;
  verdict?: Verdict;
}

/** The most characters of an opinion's rationale or verdict evidence that are kept (the API takes 1,000 of evidence). */
export const MAX_OPINION_TEXT = 1_000;

/** Text longer than this is never cut (see cutText): at most 16 MB flat, two bytes a character. */
const MAX_CUT_CHARS = 8_000_000;

/**
 * The first `max` characters of a strategy's text. Cutting a string flattens it first: a rope built cheaply
 * ('x'.repeat(3e8)) would become one allocation of hundreds of MB in the plug-in's thread, past its heap limit by
 * more than V8 lets a worker overrun, and that ends the whole process (not only the thread). Text that long is
 * replaced by its length instead of cut; reading `.length` never flattens.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (text.length > MAX_CUT_CHARS) return `(${text.length} characters: too long to keep)`;
  return text.slice(0, max);
}

/**
 * An opinion's rationale as text: the one it gave, or what its `explain` writes now (cut to MAX_OPINION_TEXT). An
 * `explain` that throws or returns something else than text leaves a note of that instead: it never fails the caller.
 */
export function rationaleOf(o: { rationale?: string | undefined; explain?: (() => string) | undefined }): string | undefined {
  if (o.rationale !== undefined || o.explain === undefined) return o.rationale;
  try {
    const text: unknown = o.explain();
    return typeof text === 'string' ? cutText(text, MAX_OPINION_TEXT) : `(its explain returned ${typeof text}, not text)`;
  } catch (err) {
    let why = 'an error that cannot be shown';
    try {
      why = cutText(String(err instanceof Error ? err.message : err), 200);
    } catch {
      // a thrown value whose text cannot be read
    }
    return `(its explain threw: ${why})`;
  }
}

export interface StrategyClock {
  /** Milliseconds since the epoch: simulated in backtests and under the simulator. */
  now(): number;
}

/**
 * A price source as strategies see it: read-only, and never later than the clock's now (also in backtests). Pass
 * ctx.signal to every call: a timeout or the agent's shutdown then cancels the request.
 */
export interface StrategyPriceSource {
  /** The latest USD price at or before now, or null when the asset is unknown or the data too old. */
  price(asset: string, signal?: AbortSignal): Promise<number | null>;
  /** USD price points from `sinceMs` up to now, oldest first. */
  history(asset: string, sinceMs: number, signal?: AbortSignal): Promise<Array<{ t: number; price: number }>>;
  /**
   * Annualised realised volatility over the points from `sinceMs` up to now (as realisedVolatility computes it) and
   * how many points there were; sigma is null with fewer than 3. Cheap: no copy of the history is made.
   */
  volatility?(asset: string, sinceMs: number, signal?: AbortSignal): Promise<{ sigma: number | null; points: number }>;
  /** The lowest and highest price from `sinceMs` up to now (null: no points). Cheap: no copy of the history. */
  extremes?(asset: string, sinceMs: number, signal?: AbortSignal): Promise<{ min: number; max: number } | null>;
  /**
   * What price, volatility and extremes would answer right now from what the view already holds, without a promise;
   * undefined when that call would have to fetch first (then make it). A strategy that finds all it needs here can
   * answer synchronously, which costs far less on every tick than an asynchronous answer (no promise, no timer).
   */
  cachedPrice?(asset: string): number | null | undefined;
  cachedVolatility?(asset: string, sinceMs: number): { sigma: number | null; points: number } | undefined;
  cachedExtremes?(asset: string, sinceMs: number): { min: number; max: number } | null | undefined;
}

/** Magus's answer about one narrative. */
export interface MagusJudgement {
  /** Probability that the narrative resolves TRUE, 0..1. */
  pTrue: number;
  /** How much Magus says its estimate is worth, 0..1 (not calibrated). */
  confidence: number;
  /** Magus's own call, which agrees with pTrue ("true" only at pTrue ≥ 0.5, "false" only at ≤ 0.5). */
  verdict: 'true' | 'false' | 'unsure';
  reasoning: string;
  /** What the question cost against the daily credit cap (0 when the answer came from the host's cache). */
  credits: number;
}

/**
 * What the judge is told beside the narrative (which itself gives the crowd's split and the status): the deadline
 * and, for a price claim, the price now and the price model's figure. The host puts it in the prompt.
 */
export interface MagusJudgeContext {
  /** The deadline read from the thesis, or null when it names none. */
  deadlineMs: number | null;
  /** For a price claim: the asset's current price, the claim's level and the price model's probability. */
  price?: { asset: string; spot: number; level: number; kind: 'close' | 'touch'; direction: 'above' | 'below'; modelPTrue: number } | null;
}

/** A free-form question to Magus, in a conversation of its own (`sessionId`). */
export interface MagusQuestion {
  content: string;
  sessionId?: string;
  verbosity?: 'minimal' | 'standard' | 'full';
}

/**
 * The Magus LLM judge as strategies see it: present only when magus.url and MAGUS_API_KEY are set. Its calls spend a
 * daily credit cap; over it they reject with code MAGUS_CREDIT_CAP (or MAGUS_USAGE_LIMIT), quickly and without a call.
 */
export interface StrategyMagusSource {
  /**
   * Magus's probability for the narrative. The agent caches each answer per narrative and version (title, thesis,
   * oracle status) for `maxAgeMs`, a spent credit cap included, so asking on every tick costs credits only for new
   * questions. Answers are kept in the agent's database (a restart asks nothing again) and recorded for backtests,
   * which replay them and never call Magus (a narrative without a recorded answer rejects with MAGUS_NOT_CONFIGURED).
   */
  judge(narrative: Readonly<Narrative>, options: { maxAgeMs: number; signal?: AbortSignal; context?: MagusJudgeContext }): Promise<MagusJudgement>;
  /** Any question; never cached. */
  ask(question: MagusQuestion, signal?: AbortSignal): Promise<{ content: string; credits: number }>;
}

/**
 * What MAGMA's per-narrative read (GET /v1/narratives/:id) says beyond the feed. Any field may be null: the public
 * texts show them, not every answer carries them.
 */
export interface NarrativeDetails {
  /** When backing closes (ms since the epoch). */
  deadlineMs: number | null;
  /** When the oracle is to resolve it (ms). */
  resolutionMs: number | null;
  /** The TRUE and FALSE sides' pools in USD, where MAGMA shows them. */
  truePoolUsd: number | null;
  falsePoolUsd: number | null;
  /** When this was read (ms, the clock's time): details may lag the feed by up to the source's refresh age. */
  readAtMs: number;
}

/**
 * MAGMA's per-narrative details, when the agent reads them (live and dry-run; absent in backtests, which have no
 * such record). Cached per narrative and refreshed at most every few minutes within the public-read budget: a call on
 * every tick costs a read only for a narrative not read yet (or read long ago); null while it has not been read, or
 * when the budget or MAGMA says not now. Never required: a strategy declines or falls back without it.
 */
export interface StrategyNarrativeSource {
  details(narrativeId: string, signal?: AbortSignal): Promise<NarrativeDetails | null>;
}

/** Approved data sources; each is replaced by recorded data in backtests, and absent where not configured. */
export interface StrategySources {
  readonly prices?: StrategyPriceSource;
  readonly magus?: StrategyMagusSource;
  readonly narratives?: StrategyNarrativeSource;
}

export interface StrategyContext {
  /** Earlier snapshots of this narrative, oldest first, observed at or before `clock.now()` only. */
  readonly history: readonly NarrativeSnapshot[];
  readonly clock: StrategyClock;
  readonly options: Readonly<Record<string, unknown>>;
  readonly sources: StrategySources;
  /** Aborted when the agent shuts down or the strategy's time is up: pass it to every source call. */
  readonly signal: AbortSignal;
}

export interface Strategy {
  name: string;
  interfaceVersion?: number;
  /**
   * How many hours back this strategy reads ctx.history, given its options. The agent keeps that much history in
   * memory per narrative; a strategy that does not say gets store.historyHours.
   */
  historyHours?(options: Readonly<Record<string, unknown>>): number;
  evaluate(narrative: Readonly<Narrative>, ctx: StrategyContext): Opinion | null | Promise<Opinion | null>;
}

/** The backtest's baselines, recorded beside the strategies under these names (no strategy may take them). */
export const CROWD_SHARE = 'crowd share';
export const ALWAYS_HALF = 'always 0.5';

/** A returned value in a reason, short whatever it is (a strategy may return a 20 MB string, a BigInt, a symbol). */
function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return typeof v;
}

/** Checks a value a strategy returned; gives the reason it is unusable, or null when it is a valid opinion. */
export function opinionProblem(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') return `returned ${typeof value}, not an opinion object`;
  const o = value as Record<string, unknown>;
  for (const key of ['pTrue', 'confidence'] as const) {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
      return `${key} must be a finite number from 0 to 1 (got ${shown(v)})`;
    }
  }
  if (o.rationale !== undefined && typeof o.rationale !== 'string') return 'rationale must be a string';
  if (o.explain !== undefined && typeof o.explain !== 'function') return 'explain must be a function';
  if (o.verdict !== undefined) {
    const v = o.verdict as Record<string, unknown> | null;
    if (!v || typeof v !== 'object') return 'verdict must be an object';
    if (typeof v.resolution !== 'boolean') return 'verdict.resolution must be true or false';
    if (typeof v.confidence !== 'number' || !Number.isFinite(v.confidence) || v.confidence < 0 || v.confidence > 1) {
      return 'verdict.confidence must be a finite number from 0 to 1';
    }
    if (typeof v.evidence !== 'string') return 'verdict.evidence must be a string';
  }
  return null;
}
