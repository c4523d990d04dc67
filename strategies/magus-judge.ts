// magus-judge: asks the Magus LLM judge (ctx.sources.magus, present only when magus.url and MAGUS_API_KEY are set)
// for a probability, a verdict and its reasoning, as strict JSON, in one conversation per narrative; the prompt gives
// the deadline, the crowd's split and, for a price claim, the current price and the price model's figure (this
// strategy passes them as the judge's context; src/magus/magus-judge.ts writes the prompt). The agent (not this
// module) keeps the answer per narrative version (title, thesis, status) for options.refreshHours, in its database,
// so the daily credit cap (magus.dailyCreditCap) goes to new questions; a backtest replays recorded answers. For a
// narrative past its deadline (pending) with a decisive answer, it proposes an oracle verdict following the judge's
// own verdict, with the reasoning as evidence; the engine decides whether it is sent (≥ 0.7, eligibility, own positions).
// Assumptions: the judge's confidence is informative but not calibrated, so it is scaled by options.confidenceScale.
// Needs a long timeout in its config entry (e.g. "timeoutMs": 120000): an LLM answer takes seconds to minutes.
// Options: refreshHours (default 12), confidenceScale (default 0.8), verdictMinConfidence (default 0.85),
//          verdictMargin (how far from 0.5 p_true must be, default 0.4).
import {
  numberOption as num, parseDeadline, parsePriceThesis,
  type MagusJudgeContext, type MagusJudgement, type Narrative, type Opinion, type Strategy, type StrategyContext,
} from 'magma-agent/strategy';
import priceThreshold from './price-threshold.js';

const magusJudge: Strategy = {
  name: 'magus-judge',
  interfaceVersion: 1,
  historyHours: () => 0,
  async evaluate(narrative, ctx) {
    const magus = ctx.sources.magus;
    if (!magus) return null;
    let j: MagusJudgement;
    try {
      // The agent keeps the answer per narrative version for refreshHours (a spent credit cap too): see the header.
      j = await magus.judge(narrative, { maxAgeMs: num(ctx.options.refreshHours, 12) * 3_600_000, signal: ctx.signal, context: await judgeContext(narrative, ctx) });
    } catch (err) {
      const code = (err as { code?: string }).code;
      // Over the credit cap: no opinion this time (and no retry storm: the cap is remembered until refresh).
      // A backtest without a recorded answer (yet): none either, and asked again next tick.
      if (code === 'MAGUS_CREDIT_CAP' || code === 'MAGUS_NOT_CONFIGURED') return null;
      throw err;
    }
    const opinion: Opinion = { pTrue: j.pTrue, confidence: j.confidence * Math.min(1, Math.max(0, num(ctx.options.confidenceScale, 0.8))), rationale: j.reasoning };
    const decisive = Math.abs(j.pTrue - 0.5) >= num(ctx.options.verdictMargin, 0.4);
    if (narrative.oracleStatus === 'pending' && decisive && j.verdict !== 'unsure' && j.confidence >= num(ctx.options.verdictMinConfidence, 0.85)) {
      opinion.verdict = { resolution: j.verdict === 'true', confidence: j.confidence, evidence: `Magus judge: ${j.reasoning}` };
    }
    return opinion;
  },
};

/** What the judge is told beside the narrative: its deadline and, for a price claim, the price and the model's figure. */
async function judgeContext(narrative: Readonly<Narrative>, ctx: StrategyContext): Promise<MagusJudgeContext> {
  const now = ctx.clock.now();
  const thesis = parsePriceThesis(narrative.thesis, now) ?? parsePriceThesis(narrative.title, now);
  const deadlineMs = thesis?.deadlineMs ?? parseDeadline(narrative.thesis, now) ?? parseDeadline(narrative.title, now);
  const prices = ctx.sources.prices;
  if (!thesis || !prices) return { deadlineMs };
  const [spot, model] = await Promise.all([prices.price(thesis.asset, ctx.signal), priceThreshold.evaluate(narrative, ctx)]);
  if (spot === null || !model) return { deadlineMs };
  const direction = thesis.direction ?? (thesis.level > spot ? 'above' : 'below');
  return { deadlineMs, price: { asset: thesis.asset, spot, level: thesis.level, kind: thesis.kind, direction, modelPTrue: model.pTrue } };
}

export default magusJudge;
