// A snapshot's raw feed item, stored only when it says more than the fields the store tracks. Most changes of a
// narrative are a new stake or a new backer: the previous raw item with the tracked fields patched in gives the new
// one back exactly, so the row keeps NULL and export rebuilds it. The writer checks the rebuild byte for byte before
// it leaves the raw item out, so nothing received is ever lost.
import type { Narrative } from '../core/narrative.js';

export type TrackedFields = Pick<Narrative, 'oracleStatus' | 'totalBackedLamports' | 'backerCount' | 'challengeCount'>;

/** The previous raw item with the tracked fields of this snapshot written over its own (key order kept). */
export function patchRaw(previous: Readonly<Record<string, unknown>>, s: TrackedFields): Record<string, unknown> {
  return {
    ...previous,
    oracle_status: s.oracleStatus,
    total_backed_sol: Number(s.totalBackedLamports) / 1e9,
    backer_count: s.backerCount,
    challenge_count: s.challengeCount,
  };
}

/** The JSON to store for a new snapshot: null when patching the previous raw item gives `rawJson` back exactly. */
export function rawToStore(previous: Readonly<Record<string, unknown>> | undefined, s: TrackedFields, rawJson: string): string | null {
  if (!previous) return rawJson;
  return JSON.stringify(patchRaw(previous, s)) === rawJson ? null : rawJson;
}
