// @ts-check
// An example custom strategy, loaded by path:
//   "strategies": [{ "name": "crowd" }, { "path": "./strategies/examples/contrarian-thin-markets.mjs", "weight": 0.5 }]
// Idea: when very few people have spoken, early backers are often the narrative's own promoters; lean slightly
// against a lopsided thin crowd, and say nothing once the crowd is large. Pure: it reads only its arguments.
// `magma-agent/strategy` is the strategy SDK: the agent provides it to every plug-in it loads, wherever the file lives.
import { defineStrategy, numberOption } from 'magma-agent/strategy';

export default defineStrategy({
  name: 'contrarian-thin-markets',
  interfaceVersion: 1,
  evaluate(narrative, ctx) {
    const maxParticipants = numberOption(ctx.options.maxParticipants, 8);
    const n = narrative.backerCount + narrative.challengeCount;
    if (n === 0 || n > maxParticipants) return null; // no opinion: the engine ignores this strategy here
    const share = narrative.backerCount / n;
    // Pull a lopsided early split back toward even odds.
    const pTrue = 0.5 + (share - 0.5) * 0.3;
    return { pTrue, confidence: 0.2, rationale: `thin crowd (${n}): tempering a ${Math.round(share * 100)}% backer share` };
  },
});
