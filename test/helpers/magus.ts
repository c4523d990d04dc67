// Magus stand-ins for tests: the usage store kept in memory (what the daily credit cap reads, and the judge's kept
// answers), and a Magus port that answers every question with a judgement and records what it was asked.
import type { Magus, MagusAnswerStore, MagusCallRecord, MagusReply, MagusRequest, MagusUsageStore, StoredMagusAnswer } from '../../src/ports/magus.js';

export class MemoryMagusUsage implements MagusUsageStore, MagusAnswerStore {
  calls: MagusCallRecord[] = [];
  answers: StoredMagusAnswer[] = [];

  latestMagusAnswer(narrativeId: string): StoredMagusAnswer | null {
    return this.answers.findLast((a) => a.narrativeId === narrativeId) ?? null;
  }

  recordMagusAnswer(a: StoredMagusAnswer): void {
    this.answers.push(a);
  }

  recordMagusCall(c: MagusCallRecord): void {
    this.calls.push(c);
  }

  magusCreditsOn(day: string): number {
    return this.calls.filter((c) => c.day === day).reduce((s, c) => s + c.credits, 0);
  }
}

export function magusReply(content: string, credits = 10): MagusReply {
  return { id: null, sessionId: null, conversationId: null, content, citations: [], toolCalls: [], promptTokens: credits, completionTokens: 0, credits, createdAt: null };
}

/**
 * A Magus that judges by `answer` (or throws what it throws), in the judge's fixed JSON shape, counting the questions
 * it was asked. Without a verdict, it says the side of 0.5 that pTrue is on.
 */
export function judgingMagus(answer: (req: MagusRequest) => { pTrue: number; confidence: number; reasoning: string; verdict?: 'true' | 'false' | 'unsure' }): Magus & { asked: MagusRequest[] } {
  const asked: MagusRequest[] = [];
  return {
    asked,
    async ask(req) {
      asked.push(req);
      const a = answer(req);
      const verdict = a.verdict ?? (a.pTrue > 0.5 ? 'true' : a.pTrue < 0.5 ? 'false' : 'unsure');
      return magusReply(JSON.stringify({ p_true: a.pTrue, verdict, confidence: a.confidence, reasoning: a.reasoning }));
    },
  };
}
