// ctx.sources.magus: the Magus judge as strategies see it, with the answers kept here in the host (one per agent),
// not in a strategy's module. An answer is reused per narrative and version (the judge prompt's version, title,
// thesis, oracle status) for as long as the asking strategy allows, and so is a spent credit cap, so the daily cap
// goes to new questions. Answers are kept in the store given (the database: a restart asks nothing it already asked;
// export writes them into recordings), and with no Magus to ask (a backtest) the source answers from kept answers
// only: the recording's, replayed as they arrive, never a call.
import { isMagmaError, MagmaError } from '../core/errors.js';
import type { Narrative } from '../core/narrative.js';
import type { MagusJudgement, StrategyMagusSource } from '../core/strategy.js';
import type { Clock } from '../ports/clock.js';
import type { Magus, MagusAnswerStore, StoredMagusAnswer } from '../ports/magus.js';
import { judgeNarrative, judgeVersion } from './magus-judge.js';

/** Narratives whose answer is remembered in memory (the store keeps them all); the oldest is dropped first. */
export const MAGUS_CACHE_MAX = 5_000;

/** A kept answer, or a spent credit cap remembered like one (in memory only: no retry storm until it is due). */
type Remembered = { answer: StoredMagusAnswer } | { version: string; at: number; error: unknown };

const fromStored = (a: StoredMagusAnswer): MagusJudgement => ({ pTrue: a.pTrue, confidence: a.confidence, verdict: a.verdict, reasoning: a.reasoning, credits: 0 });

export function magusSource(magus: Magus | null, answers: MagusAnswerStore, clock: Clock): StrategyMagusSource {
  const memory = new Map<string, Remembered | null>();
  const remember = (id: string, entry: Remembered | null) => {
    memory.delete(id);
    if (memory.size >= MAGUS_CACHE_MAX) memory.delete(memory.keys().next().value!);
    memory.set(id, entry);
  };
  const kept = (id: string): Remembered | null => {
    // Replayed answers arrive as the replay goes: a miss is never remembered there.
    if (!magus) {
      const answer = answers.latestMagusAnswer(id);
      return answer ? { answer } : null;
    }
    if (!memory.has(id)) {
      const answer = answers.latestMagusAnswer(id);
      remember(id, answer ? { answer } : null);
    }
    return memory.get(id)!;
  };
  return {
    async judge(narrative, { maxAgeMs, signal, context }) {
      const now = clock.now();
      const version = judgeVersion(narrative);
      const hit = kept(narrative.id);
      if (hit && 'error' in hit) {
        if (hit.version === version && now - hit.at < maxAgeMs) throw hit.error;
      } else if (hit) {
        const askedMs = Date.parse(hit.answer.askedAt);
        if (hit.answer.version === version && askedMs <= now && now - askedMs < maxAgeMs) return fromStored(hit.answer);
      }
      if (!magus) {
        throw new MagmaError('MAGUS_NOT_CONFIGURED', `no Magus answer was recorded for narrative ${narrative.id} as it reads now.`, {
          context: { narrativeId: narrative.id }, hint: 'Backtests replay recorded answers only; this narrative goes on without Magus.',
        });
      }
      try {
        const j = await judgeNarrative(magus, narrative, { deadlineMs: null, ...context, nowMs: now }, signal);
        const answer: StoredMagusAnswer = {
          narrativeId: narrative.id, version, askedAt: new Date(now).toISOString(), pTrue: j.pTrue, confidence: j.confidence, verdict: j.verdict, reasoning: j.reasoning, credits: j.credits,
        };
        answers.recordMagusAnswer(answer);
        remember(narrative.id, { answer });
        return j;
      } catch (err) {
        // Over the credit cap: remembered like an answer (no retry storm); any other failure is asked again next time.
        if (isMagmaError(err, 'MAGUS_CREDIT_CAP')) remember(narrative.id, { version, at: now, error: err });
        throw err;
      }
    },
    async ask(question, signal) {
      if (!magus) {
        throw new MagmaError('MAGUS_NOT_CONFIGURED', 'Magus is not asked here: a backtest replays the recorded judge answers only.', {
          hint: 'Free-form questions are not recorded; a strategy that needs them has no answer in a backtest.',
        });
      }
      const reply = await magus.ask(question, signal);
      return { content: reply.content, credits: reply.credits };
    },
  };
}
