// magma-agent/strategy: the strategy SDK, the one module a strategy imports (built-ins in strategies/ and plug-ins
// alike). It gives the plug-in contract's types (INTERFACE.md "Strategies") and the helpers a strategy may use:
// reading options, parsing a price thesis, the price model. Nothing here does I/O; data comes through ctx.sources.
import type { Strategy } from '../core/strategy.js';

export type { Narrative, NarrativeSnapshot, OracleStatus } from '../core/narrative.js';
export type {
  MagusJudgeContext, MagusJudgement, MagusQuestion, Opinion, Strategy, StrategyClock, StrategyContext, StrategyMagusSource, StrategyPriceSource,
  StrategySources, Verdict, NarrativeDetails, StrategyNarrativeSource,
} from '../core/strategy.js';
export { opinionProblem, STRATEGY_INTERFACE_VERSION } from '../core/strategy.js';
export { parseDeadline, parsePriceThesis, type Direction, type PriceThesis, type ThesisKind } from '../core/price-thesis.js';
export { normalCdf, probabilityClose, probabilityTouch, realisedVolatility, type PricePoint } from '../core/price-model.js';

/**
 * Returns the strategy as given: it only gives a plain-JavaScript plug-in its types (`// @ts-check` in an .mjs file
 * then checks `evaluate`'s arguments and its answer).
 */
export function defineStrategy<S extends Strategy>(strategy: S): S {
  return strategy;
}

/** An option's value when it is a finite number, else the fallback (options come from the config as JSON). */
export function numberOption(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
