// What strategies see of a narrative's past, kept in memory: an append-only window of snapshots per narrative,
// bounded by how far back strategies may look (store.historyHours). Each tick reads a narrative's history from here,
// never with a query, and without copying: snapshots are frozen, and the array is handed out read-only (built-ins
// run in this thread and are ours; plug-ins get a structured clone in their worker). Expired snapshots are dropped in
// amortised batches, so a window may briefly hold a little more than its length, never less.
import type { Narrative, NarrativeSnapshot } from '../core/narrative.js';

/** Whether two observations of a narrative differ in anything a snapshot records (no string is built to compare). */
export function sameObservation(a: Narrative, b: Narrative): boolean {
  return a.totalBackedLamports === b.totalBackedLamports && a.backerCount === b.backerCount && a.challengeCount === b.challengeCount
    && a.oracleStatus === b.oracleStatus && a.title === b.title && a.thesis === b.thesis && a.category === b.category;
}

interface Window {
  snapshots: NarrativeSnapshot[];
  lastSeenMs: number;
}

const EMPTY: readonly NarrativeSnapshot[] = Object.freeze([]);

export class HistoryWindows {
  private readonly windows = new Map<string, Window>();
  private lastSweepMs = -Infinity;

  /** `windowMs`: how far back strategies may look; older snapshots are dropped. */
  constructor(readonly windowMs: number) {}

  has(narrativeId: string): boolean {
    return this.windows.has(narrativeId);
  }

  /** Starts a narrative's window from what was stored before (after a restart), oldest first. */
  seed(narrativeId: string, snapshots: readonly NarrativeSnapshot[], nowMs: number): void {
    this.windows.set(narrativeId, { snapshots: snapshots.map((s) => Object.freeze({ ...s })), lastSeenMs: nowMs });
  }

  /** A new snapshot (the narrative changed); also marks it seen. */
  append(narrativeId: string, snapshot: NarrativeSnapshot, nowMs: number): void {
    let w = this.windows.get(narrativeId);
    if (!w) {
      w = { snapshots: [], lastSeenMs: nowMs };
      this.windows.set(narrativeId, w);
    }
    w.snapshots.push(Object.freeze(snapshot));
    w.lastSeenMs = nowMs;
    this.trim(w, nowMs);
  }

  /** The narrative was in the feed, unchanged. */
  seen(narrativeId: string, nowMs: number): void {
    const w = this.windows.get(narrativeId);
    if (w) w.lastSeenMs = nowMs;
  }

  /** Snapshots observed within the window, oldest first (frozen). */
  history(narrativeId: string, nowMs: number): readonly NarrativeSnapshot[] {
    const w = this.windows.get(narrativeId);
    if (!w) return EMPTY;
    const list = w.snapshots;
    // Asked about an earlier moment than the latest snapshot (never on a tick): nothing later than it is shown.
    if (list.length && list[list.length - 1]!.observedMs > nowMs) return Object.freeze(list.filter((s) => s.observedMs <= nowMs));
    return list;
  }

  /** Forgets narratives not seen for a whole window (they left the feed); cheap enough to call every tick. */
  sweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs < this.windowMs / 4) return;
    this.lastSweepMs = nowMs;
    for (const [id, w] of this.windows) if (nowMs - w.lastSeenMs > this.windowMs) this.windows.delete(id);
  }

  get size(): number {
    return this.windows.size;
  }

  /** Drops expired snapshots once they are as many as the live ones (amortised O(1) per append). */
  private trim(w: Window, nowMs: number): void {
    const list = w.snapshots;
    const oldest = nowMs - this.windowMs;
    if (list.length < 64 || list[(list.length >>> 1) - 1]!.observedMs >= oldest) return;
    let drop = 0;
    while (drop < list.length && list[drop]!.observedMs < oldest) drop++;
    w.snapshots = list.slice(drop);
  }
}
