// price-threshold: for price narratives ("SOL closes above $250 on June 1", "BTC trades below $90k by Friday"),
// the probability the price closes beyond the level at the deadline, or touches it before, from the current price and
// realised volatility under a driftless lognormal model (src/core/price-model.ts). A "by" (touch) claim whose level
// the price already reached since the narrative was created is as good as decided. Declines what it cannot parse,
// assets without prices, and narratives past their deadline.
// Assumptions: the thesis's resolution source tracks the price source; volatility over the lookback persists to the
// deadline; no drift. Confidence falls with thin price history and with long horizons, where the model is weakest.
// Options: lookbackDays (volatility window, default 30), minPoints (default 24), maxConfidence (default 0.85).
import {
  numberOption as num, parsePriceThesis, probabilityClose, probabilityTouch, realisedVolatility,
  type Opinion, type PriceThesis, type Strategy, type StrategyPriceSource,
} from 'magma-agent/strategy';

const DAY = 86_400_000;

const priceThreshold: Strategy = {
  name: 'price-threshold',
  interfaceVersion: 1,
  historyHours: () => 0, // reads prices, not the narrative's history
  // Synchronous when there is nothing to price (most narratives), and when the price view already holds what a
  // priced one needs (most ticks): no promise, no timer. Otherwise it waits for the view.
  evaluate(narrative, ctx) {
    const prices = ctx.sources.prices;
    if (!prices) return null;
    const now = ctx.clock.now();
    const thesis = parsePriceThesis(narrative.thesis, now) ?? parsePriceThesis(narrative.title, now);
    if (!thesis) return null;
    const horizonMs = thesis.deadlineMs - now;
    if (horizonMs <= 0) return null;
    const createdMs = Date.parse(narrative.createdAt);
    const held = pricedNow(thesis, horizonMs, now, createdMs, prices, ctx.options);
    return held !== undefined ? held : priced(thesis, horizonMs, now, createdMs, prices, ctx.options, ctx.signal);
  },
};

/** A touch claim asks whether its level was already reached since the narrative was created (then as good as decided). */
const touchAsks = (thesis: PriceThesis, createdMs: number) =>
  thesis.kind === 'touch' && thesis.direction !== null && Number.isFinite(createdMs);
const touched = (thesis: PriceThesis, seen: { min: number; max: number } | null) =>
  seen !== null && (thesis.direction === 'above' ? seen.max >= thesis.level : seen.min <= thesis.level);
const alreadyTouched = (thesis: PriceThesis, options: Readonly<Record<string, unknown>>): Opinion =>
  ({ pTrue: 0.999, confidence: num(options.maxConfidence, 0.85), explain: () => `${thesis.asset} already traded ${thesis.direction} ${thesis.level} since the narrative was created` });
const lookbackStart = (now: number, options: Readonly<Record<string, unknown>>) => now - num(options.lookbackDays, 30) * DAY;

/** The same answer as `priced` from what the view holds now, or undefined when something would have to be fetched. */
function pricedNow(thesis: PriceThesis, horizonMs: number, now: number, createdMs: number, prices: StrategyPriceSource, options: Readonly<Record<string, unknown>>): Opinion | null | undefined {
  if (!prices.cachedPrice || !prices.cachedVolatility) return undefined;
  const spot = prices.cachedPrice(thesis.asset);
  if (spot === undefined) return undefined;
  if (spot === null || !(spot > 0)) return null;
  if (touchAsks(thesis, createdMs) && prices.extremes) {
    if (!prices.cachedExtremes) return undefined;
    const seen = prices.cachedExtremes(thesis.asset, createdMs);
    if (seen === undefined) return undefined;
    if (touched(thesis, seen)) return alreadyTouched(thesis, options);
  }
  const vol = prices.cachedVolatility(thesis.asset, lookbackStart(now, options));
  return vol === undefined ? undefined : fromVolatility(thesis, horizonMs, spot, vol, options);
}

async function priced(thesis: PriceThesis, horizonMs: number, now: number, createdMs: number, prices: StrategyPriceSource, options: Readonly<Record<string, unknown>>, signal: AbortSignal): Promise<Opinion | null> {
  const spot = await prices.price(thesis.asset, signal);
  if (spot === null || !(spot > 0)) return null;
  if (touchAsks(thesis, createdMs) && prices.extremes) {
    if (touched(thesis, await prices.extremes(thesis.asset, createdMs, signal))) return alreadyTouched(thesis, options);
  }
  const since = lookbackStart(now, options);
  const vol = prices.volatility
    ? await prices.volatility(thesis.asset, since, signal)
    : await prices.history(thesis.asset, since, signal).then((h) => ({ sigma: realisedVolatility(h), points: h.length }));
  return fromVolatility(thesis, horizonMs, spot, vol, options);
}

function fromVolatility(thesis: PriceThesis, horizonMs: number, spot: number, { sigma, points }: { sigma: number | null; points: number }, options: Readonly<Record<string, unknown>>): Opinion | null {
  if (sigma === null) return null;

  const direction = thesis.direction ?? (thesis.level > spot ? 'above' : 'below');
  const raw = thesis.kind === 'close'
    ? probabilityClose(spot, thesis.level, direction, sigma, horizonMs)
    : probabilityTouch(spot, thesis.level, direction, sigma, horizonMs);
  const pTrue = Math.min(0.999, Math.max(0.001, raw));

  const minPoints = Math.max(3, num(options.minPoints, 24));
  const dataWeight = Math.min(1, points / minPoints);
  const horizonWeight = horizonMs <= 7 * DAY ? 1 : horizonMs <= 30 * DAY ? 0.8 : 0.5;
  const confidence = num(options.maxConfidence, 0.85) * dataWeight * horizonWeight;
  const hours = Math.round(horizonMs / 3_600_000);
  return {
    pTrue,
    confidence,
    // The text is written only if the agent keeps this opinion.
    explain: () => `${thesis.asset} at ${spot} vs ${thesis.kind} ${direction} ${thesis.level} within ${hours}h; realised volatility ${(sigma * 100).toFixed(0)}%/yr over ${points} points`,
  };
}

export default priceThreshold;
