// crowd: reads the crowd's own signal. Backers bet that a narrative resolves TRUE and challengers that it does not,
// so the share of backers, shrunk toward 0.5 while few have spoken, estimates P(TRUE); recent momentum (how the
// last hours' newcomers split) tilts it, because late participants have seen more of the evidence.
// Assumptions: participants are independent and, on average, informative; a thin crowd says little (low confidence).
// Options: priorStrength (pseudo-participants at 0.5, default 6), momentumWeight (0..1, default 0.35),
//          momentumWindowHours (default 6), confidenceScale (participants for confidence 0.5, default 25).
import { numberOption as num, type NarrativeSnapshot, type Strategy } from 'magma-agent/strategy';

/** The oldest snapshot observed at or after `since` (history is oldest first): a binary search. */
function firstAtOrAfter(history: readonly NarrativeSnapshot[], since: number): NarrativeSnapshot | undefined {
  let lo = 0;
  let hi = history.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (history[mid]!.observedMs < since) lo = mid + 1;
    else hi = mid;
  }
  return history[lo];
}

const crowd: Strategy = {
  name: 'crowd',
  interfaceVersion: 1,
  historyHours: (options) => num(options.momentumWindowHours, 6),
  evaluate(narrative, ctx) {
    const prior = Math.max(0, num(ctx.options.priorStrength, 6));
    const momentumWeight = Math.min(1, Math.max(0, num(ctx.options.momentumWeight, 0.35)));
    const windowMs = num(ctx.options.momentumWindowHours, 6) * 3_600_000;
    const scale = Math.max(1, num(ctx.options.confidenceScale, 25));

    const backers = narrative.backerCount;
    const challengers = narrative.challengeCount;
    const n = backers + challengers;
    if (n === 0) return null; // nobody has spoken: no opinion

    let p = (backers + prior / 2) / (n + prior);
    // Momentum: how participants who arrived within the window split, from the oldest snapshot inside it.
    const since = ctx.clock.now() - windowMs;
    const base = firstAtOrAfter(ctx.history, since);
    const db = base ? backers - base.backerCount : 0;
    const dc = base ? challengers - base.challengeCount : 0;
    const momentum = db >= 0 && dc >= 0 && db + dc > 0;
    if (momentum) {
      const recent = (db + prior / 2) / (db + dc + prior);
      const w = momentumWeight * ((db + dc) / (db + dc + prior));
      p = (1 - w) * p + w * recent;
    }
    // The text is written only if the agent keeps this opinion.
    const explain = () => `${backers} backers vs ${challengers} challengers${momentum ? `; last ${Math.round(windowMs / 3_600_000)}h +${db}/+${dc}` : ''}`;
    return { pTrue: p, confidence: n / (n + scale), explain };
  },
};

export default crowd;
