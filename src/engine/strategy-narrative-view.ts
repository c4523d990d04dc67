// What strategies see of MAGMA's per-narrative read (ctx.sources.narratives): deadline, resolution date and the
// TRUE/FALSE pools, cached per narrative. A narrative is read once when a strategy first asks (its deadline never
// changes), again only when its copy is older than `maxAgeMs` and the public-read budget has calls to spare beyond a
// reserve (outcome lookups and the write gates come first); otherwise the cached copy, or null, answers at once. So
// asking on every tick costs reads only for new narratives, never a read per narrative per tick; after a failed read,
// none for a minute (MAGMA down must not cost a failing call per narrative per tick).
import { errorMessage, isMagmaError } from '../core/errors.js';
import type { NarrativeDetails, StrategyNarrativeSource } from '../core/strategy.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../ports/clock.js';
import type { MagmaApi, NarrativeDetail } from '../ports/magma-api.js';

export interface StrategyNarrativeViewOptions {
  api: Pick<MagmaApi, 'narrative'>;
  clock: Clock;
  logger: Logger;
  /** Calls left in the public-read budget right now (null: no budget kept). */
  budgetLeft?: () => number | null;
  /** How old a cached copy may be before it is read again, budget permitting (default 15 min). */
  maxAgeMs?: number;
  /** Public calls always left in the budget (default 1; outcome lookups and the tick's gates read before strategies run). */
  reserve?: number;
}

const MAX_CACHED = 20_000;
/** Clock time without reads after one failed. */
const FAILURE_PAUSE_MS = 60_000;

const ms = (iso: string | null): number | null => {
  const t = iso === null ? NaN : Date.parse(iso);
  return Number.isFinite(t) ? t : null;
};

function toDetails(d: NarrativeDetail, readAtMs: number): NarrativeDetails {
  return Object.freeze({
    deadlineMs: ms(d.deadlineAt), resolutionMs: ms(d.resolutionDate), truePoolUsd: d.truePoolUsd, falsePoolUsd: d.falsePoolUsd, readAtMs,
  });
}

export function strategyNarrativeView(o: StrategyNarrativeViewOptions): StrategyNarrativeSource {
  const cache = new Map<string, NarrativeDetails>();
  const inFlight = new Map<string, Promise<NarrativeDetails | null>>();
  const maxAgeMs = o.maxAgeMs ?? 15 * 60_000;
  let warned = false;
  // After a failed read, none for a minute of clock time: while MAGMA is down, strategies asking about every
  // narrative must not turn into one failing call per narrative per tick.
  let quietUntil = -Infinity;
  const affordable = () => {
    if (o.clock.now() < quietUntil) return false;
    const left = o.budgetLeft?.() ?? null;
    return left === null || left - 1 >= (o.reserve ?? 1);
  };

  async function read(id: string, cached: NarrativeDetails | null, signal?: AbortSignal): Promise<NarrativeDetails | null> {
    try {
      const details = toDetails(await o.api.narrative(id, signal), o.clock.now());
      if (cache.size >= MAX_CACHED && !cache.has(id)) cache.delete(cache.keys().next().value!);
      cache.set(id, details);
      warned = false; // a later outage is worth a warning again
      return details;
    } catch (err) {
      if (isMagmaError(err, 'ABORTED')) throw err;
      quietUntil = o.clock.now() + FAILURE_PAUSE_MS;
      if (!warned) {
        warned = true; // once: a strategy asking for every narrative must not flood the log
        o.logger.warn('strategy.narrative_details_unavailable', { narrative_id: id, msg: `MAGMA's narrative read failed (${errorMessage(err)}); strategies get the last copy or none, and reads pause for a minute` });
      }
      return cached;
    }
  }

  return Object.freeze({
    details(narrativeId: string, signal?: AbortSignal): Promise<NarrativeDetails | null> {
      const cached = cache.get(narrativeId) ?? null;
      if (cached && o.clock.now() - cached.readAtMs < maxAgeMs) return Promise.resolve(cached);
      const pending = inFlight.get(narrativeId);
      if (pending) return pending;
      if (!affordable()) return Promise.resolve(cached);
      const p = read(narrativeId, cached, signal).finally(() => inFlight.delete(narrativeId));
      inFlight.set(narrativeId, p);
      return p;
    },
  });
}
