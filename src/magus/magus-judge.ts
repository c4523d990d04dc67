// Asks Magus for a probability that a narrative resolves TRUE, as strict JSON, in the narrative's own conversation.
// The answer is checked, not trusted: anything but {"p_true": 0..1, "confidence": 0..1, "reasoning": text} is an
// error, so a garbled reply never becomes an opinion.
import { MagmaError } from '../core/errors.js';
import type { Narrative } from '../core/narrative.js';
import type { MagusJudgement } from '../core/strategy.js';
import type { Magus } from '../ports/magus.js';
import { sessionIdForNarrative } from './session-id.js';

export type { MagusJudgement };

export function judgePrompt(n: Narrative): string {
  return [
    'You judge prediction narratives. Answer with ONE JSON object and nothing else:',
    '{"p_true": <probability 0..1 that it resolves TRUE>, "confidence": <0..1, how much your estimate is worth>, "reasoning": "<one or two sentences>"}',
    `Narrative ${n.id} (${n.category}): ${n.title}`,
    `Thesis: ${n.thesis}`,
  ].join('\n');
}

/** Reads the first JSON object in the text as a judgement; null when there is none that fits. */
export function parseJudgement(text: string): Omit<MagusJudgement, 'credits'> | null {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start === -1 || end <= start) return null;
  let v: unknown;
  try {
    v = JSON.parse(text.slice(start, end + 1));
  } catch {
    return null;
  }
  const o = v as { p_true?: unknown; confidence?: unknown; reasoning?: unknown };
  const inUnit = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 1;
  if (!inUnit(o.p_true) || !inUnit(o.confidence)) return null;
  return { pTrue: o.p_true, confidence: o.confidence, reasoning: typeof o.reasoning === 'string' ? o.reasoning.slice(0, 1000) : '' };
}

export async function judgeNarrative(magus: Magus, n: Narrative, signal?: AbortSignal): Promise<MagusJudgement> {
  const reply = await magus.ask({ content: judgePrompt(n), sessionId: sessionIdForNarrative(n.id) }, signal);
  const j = parseJudgement(reply.content);
  if (!j) {
    throw new MagmaError('MAGUS_MALFORMED', `Magus did not answer with a probability for narrative ${n.id}.`, {
      context: { narrativeId: n.id }, hint: 'This narrative goes on without Magus.',
    });
  }
  return { ...j, credits: reply.credits };
}
