// Runs of records that say nothing new. An opinion (or a skip decision) equal to the previous one for the same
// narrative (and strategy) extends that record's run instead of adding a row: the store keeps the first record
// whole and counts how often, and until when, it held. "Equal" is the run key: the probability rounded to 0.02
// and the reasons without their particulars (the numbers in parentheses), so the audit still answers what the agent
// thought and decided about a narrative at any time, and why, to within that rounding.
import type { Decision } from '../core/decide.js';
import { reasonKind } from '../core/reason-kind.js';
import type { OpinionRecord } from '../ports/store.js';

export interface Run {
  rowId: number;
  runKey: string;
  count: number;
  lastAt: string;
  lastP: number | null;
  /** Seen again since the row was last written. */
  dirty: boolean;
}

/** A probability rounded to 0.02, as fiftieths (an integer is cheaper to make and compare than a decimal string). */
const r2 = (x: number | null) => (x === null ? -1 : Math.round(x * 50));

/** `status`: the narrative's oracle status, so that a run never spans the end of backing (calibration reads it). */
export function opinionRunKey(o: OpinionRecord, status = ''): string {
  const verdict = o.verdict ? `${o.verdict.resolution ? 'T' : 'F'}${r2(o.verdict.confidence)}` : '';
  return `${status}|${r2(o.pTrue)}|${r2(o.confidence)}|${o.error ?? ''}|${verdict}`;
}

/** Whether two reasons say the same without their particulars (reasonKind of each equal), without building either kind. */
export function sameReasonKind(a: string, b: string): boolean {
  if (a === b) return true;
  const ca = a.indexOf(' (');
  const cb = b.indexOf(' (');
  const la = ca < 0 ? a.length : ca;
  if (la !== (cb < 0 ? b.length : cb)) return false;
  for (let i = 0; i < la; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

/**
 * Whether two decisions have the same run key (see decisionRunKey), compared field by field: no key is built, and
 * reasons whose kinds the decider gave (Decision.reasonKinds) are compared by those, without reading their text.
 */
export function sameDecisionRun(a: Decision, b: Decision): boolean {
  if (a.action !== b.action || r2(a.pTrue) !== r2(b.pTrue) || a.reasons.length !== b.reasons.length) return false;
  const ka = a.reasonKinds;
  const kb = b.reasonKinds;
  if (ka && kb && ka === kb) return true;
  for (let i = 0; i < a.reasons.length; i++) {
    if (ka && kb ? ka[i] !== kb[i] : !sameReasonKind(ka?.[i] ?? a.reasons[i]!, kb?.[i] ?? b.reasons[i]!)) return false;
  }
  return true;
}

export function decisionRunKey(d: Decision): string {
  let key = `${d.action}|${r2(d.pTrue)}`;
  for (let i = 0; i < d.reasons.length; i++) key += `|${d.reasonKinds?.[i] ?? reasonKind(d.reasons[i]!)}`;
  return key;
}

export class RunTracker {
  private readonly runs = new Map<string, Run>();

  /** The open run of `key` if `runKey` extends it (counted), else null (the caller writes a new row and `start`s). */
  extend(key: string, runKey: string, at: string, p: number | null): Run | null {
    const run = this.runs.get(key);
    if (!run || run.runKey !== runKey) return null;
    run.count++;
    run.lastAt = at;
    run.lastP = p;
    run.dirty = true;
    return run;
  }

  /** The run a new row starts; returns the run it ends (to be written once more), if that one changed since. */
  start(key: string, runKey: string, rowId: number, at: string, p: number | null): Run | undefined {
    const ended = this.runs.get(key);
    this.runs.set(key, { rowId, runKey, count: 1, lastAt: at, lastP: p, dirty: false });
    return ended?.dirty ? ended : undefined;
  }

  /** Ends a run without starting another (a backing decision breaks a run of skips). */
  end(key: string): Run | undefined {
    const ended = this.runs.get(key);
    this.runs.delete(key);
    return ended?.dirty ? ended : undefined;
  }

  /** Runs seen again since last written (to flush now and then, and at close); marks them written. */
  takeDirty(): Run[] {
    const out: Run[] = [];
    for (const run of this.runs.values()) {
      if (!run.dirty) continue;
      run.dirty = false;
      out.push(run);
    }
    return out;
  }

  /** Forgets runs of narratives that left (bounded memory); `keep` says which keys stay. */
  prune(keep: (key: string) => boolean): void {
    for (const key of this.runs.keys()) if (!keep(key)) this.runs.delete(key);
  }

  get size(): number {
    return this.runs.size;
  }
}
