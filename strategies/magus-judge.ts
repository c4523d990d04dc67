// magus-judge: asks the Magus LLM judge (ctx.sources.magus, present only when magus.url and MAGUS_API_KEY are set)
// for a probability, a verdict and its reasoning, as strict JSON, in one conversation per narrative; the prompt gives
// the deadline, the crowd's split and, for a price claim, the current price and the price model's figure
// (src/magus/magus-judge.ts). The source keeps answers in the database, and a backtest replays recorded ones. The answer is cached per
// narrative version (title, thesis, status) for options.refreshHours, so the daily credit cap (magus.dailyCreditCap)
// goes to new questions. For a narrative past its deadline (pending) with a decisive answer, it proposes an oracle
// verdict with the reasoning as evidence; the engine decides whether it is sent (≥ 0.7, eligibility, own positions).
// Assumptions: the judge's confidence is informative but not calibrated, so it is scaled by options.confidenceScale.
// Needs a long timeout in its config entry (e.g. "timeoutMs": 120000): an LLM answer takes seconds to minutes.
// Options: refreshHours (default 12), confidenceScale (default 0.8), verdictMinConfidence (default 0.85),
//          verdictMargin (how far from 0.5 p_true must be, default 0.4).
import { createHash } from 'node:crypto';
import type { Narrative } from '../src/core/narrative.js';
import type { Opinion, Strategy } from '../src/core/strategy.js';
import type { MagusSource } from '../src/magus/create-magus.js';
import type { JudgeContext } from '../src/magus/magus-judge.js';
import { parseDeadline, parsePriceThesis } from '../src/core/price-thesis.js';
import priceThreshold from './price-threshold.js';

const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const cache = new Map<string, { version: string; at: number; opinion: Opinion | null }>();
const MAX_CACHE = 5_000;

function version(n: Narrative): string {
  return createHash('sha256').update(JSON.stringify([n.title, n.thesis, n.oracleStatus])).digest('hex').slice(0, 16);
}

const magusJudge: Strategy = {
  name: 'magus-judge',
  interfaceVersion: 1,
  historyHours: () => 0,
  async evaluate(narrative, ctx) {
    const magus = ctx.sources.magus as MagusSource | undefined;
    if (!magus) return null;
    const now = ctx.clock.now();
    const v = version(narrative);
    const hit = cache.get(narrative.id);
    if (hit && hit.version === v && now - hit.at < num(ctx.options.refreshHours, 12) * 3_600_000) return hit.opinion;

    let opinion: Opinion | null;
    try {
      const j = await magus.judge(narrative, await judgeContext(narrative, ctx, now), { refreshMs: num(ctx.options.refreshHours, 12) * 3_600_000, ...(ctx.signal ? { signal: ctx.signal } : {}) });
      opinion = { pTrue: j.pTrue, confidence: j.confidence * Math.min(1, Math.max(0, num(ctx.options.confidenceScale, 0.8))), rationale: j.reasoning };
      const decisive = Math.abs(j.pTrue - 0.5) >= num(ctx.options.verdictMargin, 0.4);
      if (narrative.oracleStatus === 'pending' && decisive && j.verdict !== 'unsure' && j.confidence >= num(ctx.options.verdictMinConfidence, 0.85)) {
        opinion.verdict = { resolution: j.verdict === 'true', confidence: j.confidence, evidence: `Magus judge: ${j.reasoning}` };
      }
    } catch (err) {
      // Over the credit cap, Magus failed, or (backtest) no answer was recorded: no opinion this time, and no retry
      // storm (cached until refresh).
      const code = (err as { code?: string }).code;
      // A backtest without a recorded answer yet: asked again at the next tick (the recording may have one then).
      if (code === 'MAGUS_NOT_CONFIGURED') return null;
      opinion = null;
      if (code !== 'MAGUS_CREDIT_CAP') throw err;
    }
    if (cache.size >= MAX_CACHE) cache.delete(cache.keys().next().value!);
    cache.set(narrative.id, { version: v, at: now, opinion });
    return opinion;
  },
};

/** What the judge is told beside the narrative: its deadline and, for a price claim, the price and the model's figure. */
async function judgeContext(narrative: Parameters<Strategy['evaluate']>[0], ctx: Parameters<Strategy['evaluate']>[1], now: number): Promise<JudgeContext> {
  const thesis = parsePriceThesis(narrative.thesis, now) ?? parsePriceThesis(narrative.title, now);
  const deadlineMs = thesis?.deadlineMs ?? parseDeadline(narrative.thesis, now) ?? parseDeadline(narrative.title, now);
  const prices = ctx.sources.prices;
  if (!thesis || !prices) return { nowMs: now, deadlineMs };
  const [spot, model] = await Promise.all([prices.price(thesis.asset), priceThreshold.evaluate(narrative, ctx)]);
  if (spot === null || !model) return { nowMs: now, deadlineMs };
  const direction = thesis.direction ?? (thesis.level > spot ? 'above' : 'below');
  return { nowMs: now, deadlineMs, price: { asset: thesis.asset, spot, level: thesis.level, kind: thesis.kind, direction, modelPTrue: model.pTrue } };
}

export default magusJudge;
