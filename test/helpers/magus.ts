// Magus stand-ins for tests: the usage store kept in memory (what the daily credit cap reads), and a Magus port
// that answers every question with a judgement and records what it was asked.
import type { Magus, MagusCallRecord, MagusReply, MagusRequest, MagusUsageStore } from '../../src/ports/magus.js';

export class MemoryMagusUsage implements MagusUsageStore {
  calls: MagusCallRecord[] = [];

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

/** A Magus that judges by `answer` (or throws what it throws), counting the questions it was asked. */
export function judgingMagus(answer: (req: MagusRequest) => { pTrue: number; confidence: number; reasoning: string }): Magus & { asked: MagusRequest[] } {
  const asked: MagusRequest[] = [];
  return {
    asked,
    async ask(req) {
      asked.push(req);
      const a = answer(req);
      return magusReply(JSON.stringify({ p_true: a.pTrue, confidence: a.confidence, reasoning: a.reasoning }));
    },
  };
}
