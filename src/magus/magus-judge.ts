// Asks Magus for a probability that a narrative resolves TRUE, in the narrative's own conversation. The prompt gives
// what a careful judge needs: the claim, its deadline, how the crowd has split and, for a price claim, the current
// price and the price model's figure. The answer must be exactly one JSON object of a fixed shape
//   {"p_true": 0..1, "verdict": "true" | "false" | "unsure", "confidence": 0..1, "reasoning": "…"}
// (bare, or alone in a ```json block), with a verdict that agrees with p_true; anything else is refused, so a
// garbled or chatty reply never becomes an opinion.
import { createHash } from 'node:crypto';
import { MagmaError } from '../core/errors.js';
import type { Narrative } from '../core/narrative.js';
import type { MagusJudgeContext, MagusJudgement } from '../core/strategy.js';
import type { Magus } from '../ports/magus.js';
import { sessionIdForNarrative } from './session-id.js';

/** Bumped whenever the prompt or the answer's shape changes: cached answers to an older prompt are not reused. */
export const JUDGE_PROMPT_VERSION = 2;

export type { MagusJudgement };

/** What the judge is told beside the narrative itself: the strategy's context and the host clock's now. */
export type JudgeContext = MagusJudgeContext & { nowMs: number };

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export function judgePrompt(n: Narrative, c: JudgeContext): string {
  const participants = n.backerCount + n.challengeCount;
  const crowd = participants === 0
    ? 'nobody has backed or challenged it yet'
    : `${n.backerCount} backers (${(Number(n.totalBackedLamports) / 1e9).toFixed(3)} SOL) vs ${n.challengeCount} challengers: ${Math.round((100 * n.backerCount) / participants)}% back it`;
  const lines = [
    'You judge prediction narratives for a trading agent. Estimate the probability that this narrative resolves TRUE.',
    `Narrative ${n.id} (${n.category}, status ${n.oracleStatus}): ${n.title}`,
    `Thesis: ${n.thesis}`,
    `Now: ${iso(c.nowMs)}. Deadline: ${c.deadlineMs === null ? 'not stated in the thesis' : iso(c.deadlineMs)}.`,
    `Crowd: ${crowd}. Backers bet TRUE; the crowd is informative but not always right.`,
  ];
  if (c.price) {
    const p = c.price;
    lines.push(`Price: ${p.asset} is at ${p.spot} now; the claim needs it to ${p.kind === 'close' ? 'close' : 'trade at any time'} ${p.direction} ${p.level} by the deadline. `
      + `A lognormal model on realised volatility gives ${(p.modelPTrue * 100).toFixed(1)}%; depart from it only for a reason you can name.`);
  }
  lines.push(
    'Answer with exactly one JSON object and nothing else, in this shape:',
    '{"p_true": <number 0..1>, "verdict": "true" | "false" | "unsure", "confidence": <number 0..1, how much your estimate is worth>, "reasoning": "<one or two sentences>"}',
    'The verdict must agree with p_true: "true" only if p_true >= 0.5, "false" only if p_true <= 0.5, "unsure" when you cannot tell.',
  );
  return lines.join('\n');
}

const KEYS = ['confidence', 'p_true', 'reasoning', 'verdict'];

/** Reads the reply as a judgement of the fixed shape; null when it is anything else. */
export function parseJudgement(text: string): Omit<MagusJudgement, 'credits'> | null {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(text);
  const body = (fenced ? fenced[1]! : text).trim();
  if (!body.startsWith('{') || !body.endsWith('}')) return null;
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  if (Object.keys(o).sort().join(',') !== KEYS.join(',')) return null;
  const inUnit = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 1;
  if (!inUnit(o.p_true) || !inUnit(o.confidence) || typeof o.reasoning !== 'string' || o.reasoning.length > 2000) return null;
  if (o.verdict !== 'true' && o.verdict !== 'false' && o.verdict !== 'unsure') return null;
  if ((o.verdict === 'true' && o.p_true < 0.5) || (o.verdict === 'false' && o.p_true > 0.5)) return null;
  return { pTrue: o.p_true, confidence: o.confidence, verdict: o.verdict, reasoning: o.reasoning.slice(0, 1000) };
}

export async function judgeNarrative(magus: Magus, n: Narrative, c: JudgeContext, signal?: AbortSignal): Promise<MagusJudgement> {
  const reply = await magus.ask({ content: judgePrompt(n, c), sessionId: sessionIdForNarrative(n.id) }, signal);
  const j = parseJudgement(reply.content);
  if (!j) {
    throw new MagmaError('MAGUS_MALFORMED', `Magus did not answer narrative ${n.id} in the required JSON shape (p_true, verdict, confidence, reasoning).`, {
      context: { narrativeId: n.id }, hint: 'This narrative goes on without Magus until its next refresh.',
    });
  }
  return { ...j, credits: reply.credits };
}

/** What an answer was about: the prompt's version and the narrative's text and status (a new one is asked anew). */
export function judgeVersion(n: Pick<Narrative, 'title' | 'thesis' | 'oracleStatus'>): string {
  return createHash('sha256').update(JSON.stringify([JUDGE_PROMPT_VERSION, n.title, n.thesis, n.oracleStatus])).digest('hex').slice(0, 16);
}
