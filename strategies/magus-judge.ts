// magus-judge: asks the Magus LLM judge (ctx.sources.magus, present only when magus.url and MAGUS_API_KEY are set)
// for a probability with its reasoning, as strict JSON, in one conversation per narrative. The agent (not this
// module) keeps the answer per narrative version (title, thesis, status) for options.refreshHours, so the daily
// credit cap (magus.dailyCreditCap) goes to new questions. For a narrative past its deadline (pending) with a decisive answer, it proposes an oracle
// verdict with the reasoning as evidence; the engine decides whether it is sent (≥ 0.7, eligibility, own positions).
// Assumptions: the judge's confidence is informative but not calibrated, so it is scaled by options.confidenceScale.
// Needs a long timeout in its config entry (e.g. "timeoutMs": 120000): an LLM answer takes seconds to minutes.
// Options: refreshHours (default 12), confidenceScale (default 0.8), verdictMinConfidence (default 0.85),
//          verdictMargin (how far from 0.5 p_true must be, default 0.4).
import { numberOption as num, type MagusJudgement, type Opinion, type Strategy } from 'magma-agent/strategy';

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
      j = await magus.judge(narrative, { maxAgeMs: num(ctx.options.refreshHours, 12) * 3_600_000, signal: ctx.signal });
    } catch (err) {
      // Over the credit cap: no opinion this time (and no retry storm: the cap is remembered until refresh).
      if ((err as { code?: string }).code === 'MAGUS_CREDIT_CAP') return null;
      throw err;
    }
    const opinion: Opinion = { pTrue: j.pTrue, confidence: j.confidence * Math.min(1, Math.max(0, num(ctx.options.confidenceScale, 0.8))), rationale: j.reasoning };
    const decisive = Math.abs(j.pTrue - 0.5) >= num(ctx.options.verdictMargin, 0.4);
    if (narrative.oracleStatus === 'pending' && decisive && j.confidence >= num(ctx.options.verdictMinConfidence, 0.85)) {
      opinion.verdict = { resolution: j.pTrue > 0.5, confidence: j.confidence, evidence: `Magus judge: ${j.reasoning}` };
    }
    return opinion;
  },
};

export default magusJudge;
