// ctx.sources.magus: the Magus judge as strategies see it, with the cache of answers kept here in the host (one per
// agent), not in a strategy's module: an answer is reused per narrative and version (title, thesis, oracle status)
// for as long as the asking strategy allows, and so is a spent credit cap, so the daily cap goes to new questions.
import { createHash } from 'node:crypto';
import { isMagmaError } from '../core/errors.js';
import type { Narrative } from '../core/narrative.js';
import type { MagusJudgement, StrategyMagusSource } from '../core/strategy.js';
import type { Clock } from '../ports/clock.js';
import type { Magus } from '../ports/magus.js';
import { judgeNarrative } from './magus-judge.js';

/** Narratives whose answer is remembered; the oldest is dropped first. */
export const MAGUS_CACHE_MAX = 5_000;

type Remembered = { version: string; at: number } & ({ ok: true; judgement: MagusJudgement } | { ok: false; error: unknown });

function version(n: Readonly<Narrative>): string {
  return createHash('sha256').update(JSON.stringify([n.title, n.thesis, n.oracleStatus])).digest('hex').slice(0, 16);
}

export function magusSource(magus: Magus, clock: Clock): StrategyMagusSource {
  const cache = new Map<string, Remembered>();
  const remember = (id: string, entry: Remembered) => {
    cache.delete(id);
    if (cache.size >= MAGUS_CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(id, entry);
  };
  return {
    async judge(narrative, { maxAgeMs, signal }) {
      const now = clock.now();
      const v = version(narrative);
      const hit = cache.get(narrative.id);
      if (hit && hit.version === v && now - hit.at < maxAgeMs) {
        if (!hit.ok) throw hit.error;
        return { ...hit.judgement, credits: 0 };
      }
      try {
        const judgement = await judgeNarrative(magus, narrative, signal);
        remember(narrative.id, { version: v, at: now, ok: true, judgement });
        return judgement;
      } catch (err) {
        // Over the credit cap: remembered like an answer (no retry storm); any other failure is asked again next time.
        if (isMagmaError(err, 'MAGUS_CREDIT_CAP')) remember(narrative.id, { version: v, at: now, ok: false, error: err });
        throw err;
      }
    },
    async ask(question, signal) {
      const reply = await magus.ask(question, signal);
      return { content: reply.content, credits: reply.credits };
    },
  };
}
