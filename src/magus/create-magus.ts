// Builds the Magus judge strategies may use when it is configured (magus.url and MAGUS_API_KEY); null otherwise.
// Its transport is separate from MAGMA's (another host, another key, replies that take minutes). Answers are kept
// per narrative version (in memory, and in the database when given one), so a restart asks nothing it already asked
// and the daily credit cap goes to new questions; `answeredFrom` serves the same source from kept answers only
// (a backtest replays a recording's answers and never calls Magus).
import type { Config } from '../config/schema.js';
import { MagmaError } from '../core/errors.js';
import type { Narrative } from '../core/narrative.js';
import { HttpTransport, STREAM_TIMEOUT_MS } from '../http/transport.js';
import type { Clock } from '../ports/clock.js';
import type { MagusAnswerStore, MagusUsageStore, StoredMagusAnswer } from '../ports/magus.js';
import type { ApiCallRecord } from '../ports/store.js';
import { MagusClient } from './magus-client.js';
import { judgeNarrative, judgeVersion, type JudgeContext, type MagusJudgement } from './magus-judge.js';

export interface JudgeOptions {
  /** An answer to the same version of the narrative younger than this is reused. */
  refreshMs: number;
  signal?: AbortSignal;
}

/** What a strategy sees as ctx.sources.magus. */
export interface MagusSource {
  judge(narrative: Narrative, context: JudgeContext, options: JudgeOptions): Promise<MagusJudgement>;
  /** Free-form questions (plug-ins): no cache. */
  client?: Pick<MagusClient, 'ask'>;
}

const fromStored = (a: StoredMagusAnswer): MagusJudgement => ({ pTrue: a.pTrue, confidence: a.confidence, verdict: a.verdict, reasoning: a.reasoning, credits: 0, cached: true });

/** Kept answers in front of `ask` (null: only kept answers, as in a backtest). */
export function cachedJudge(answers: MagusAnswerStore, clock: Clock, ask: ((n: Narrative, c: JudgeContext, signal?: AbortSignal) => Promise<MagusJudgement>) | null): MagusSource {
  const memory = new Map<string, StoredMagusAnswer | null>();
  const latest = (id: string) => {
    if (!ask) return answers.latestMagusAnswer(id); // replayed answers arrive as the replay goes: never cache a miss
    if (!memory.has(id)) {
      if (memory.size >= 5_000) memory.delete(memory.keys().next().value!);
      memory.set(id, answers.latestMagusAnswer(id));
    }
    return memory.get(id)!;
  };
  return {
    async judge(n, context, o) {
      const version = judgeVersion(n);
      // The tick's time (what a replay of the recording sees), else the clock's.
      const now = Number.isFinite(context.nowMs) ? context.nowMs : clock.now();
      const kept = latest(n.id);
      const keptMs = kept ? Date.parse(kept.askedAt) : NaN;
      if (kept && kept.version === version && keptMs <= now && now - keptMs < o.refreshMs) return fromStored(kept);
      if (!ask) {
        throw new MagmaError('MAGUS_NOT_CONFIGURED', `no Magus answer was recorded for narrative ${n.id} as it reads now.`, {
          details: { narrativeId: n.id }, hint: 'Backtests replay recorded answers only; this narrative goes on without Magus.',
        });
      }
      const j = await ask(n, context, o.signal);
      const stored: StoredMagusAnswer = {
        narrativeId: n.id, version, askedAt: new Date(now).toISOString(), pTrue: j.pTrue, confidence: j.confidence, verdict: j.verdict, reasoning: j.reasoning, credits: j.credits,
      };
      answers.recordMagusAnswer(stored);
      memory.set(n.id, stored);
      return j;
    },
  };
}

export function createMagus(input: {
  config: Config['magus'];
  usage: MagusUsageStore & MagusAnswerStore;
  clock: Clock;
  onCall?: (call: ApiCallRecord) => void;
  nowIso?: () => string;
}): { source: MagusSource; client: MagusClient; close(): Promise<void> } | null {
  const { config } = input;
  if (!config.url || !config.apiKey) return null;
  const transport = new HttpTransport({
    baseUrl: config.url, timeoutMs: STREAM_TIMEOUT_MS,
    ...(input.onCall ? { onCall: input.onCall } : {}), ...(input.nowIso ? { nowIso: input.nowIso } : {}),
  });
  const client = new MagusClient({ transport, apiKey: config.apiKey, usage: input.usage, dailyCreditCap: config.dailyCreditCap, clock: input.clock });
  const source = { ...cachedJudge(input.usage, input.clock, (n, c, signal) => judgeNarrative(client, n, c, signal)), client };
  return { source, client, close: () => transport.close() };
}
