// Narratives the agent decided on (or holds) whose outcome it does not know yet, in the order they were last seen in
// the feed, so that "the most recently seen ones not in the feed" costs what it returns, not the number of
// narratives a long run has met. Narratives leave the order as they are appended (when they leave the feed); stale
// and resolved entries are skipped, and compacted away once they are the majority.
//
// A narrative that was looked up and is still open is deferred until its next lookup: it leaves the order meanwhile
// (a long run holds many such, and scanning past them every tick made the cost grow with the run) and comes back to
// its own place in the order when it is due.

/** One place in the order: stale when its generation is no longer the narrative's. */
interface Entry {
  id: string;
  at: number;
  /** Position in the order of appends (kept across compaction), so a narrative coming back goes to its old place. */
  seq: number;
  gen: number;
}

export class AwaitingOutcomes {
  /** Awaiting narrative → when it was last seen (ms). */
  private readonly lastSeen = new Map<string, number>();
  /** Narratives as they left the feed, oldest first; an entry is stale when lastSeen or the generation differs. */
  private order: Entry[] = [];
  private inFeed = new Set<string>();
  /** The generation of each narrative's live entry: bumped when it is deferred, so its entry goes stale. */
  private readonly gen = new Map<string, number>();
  /** Deferred narrative → when it is due again, and the place its entry had. */
  private readonly deferred = new Map<string, { until: number; seq: number; at: number }>();
  /** Deferred narratives by due time (a min-heap; entries whose time no longer matches are skipped). */
  private heap: Array<[number, string]> = [];
  private nextSeq = 0;
  /** The entries the last `take` returned, so that deferring one of them finds its place at once. */
  private lastTaken = new Map<string, Entry>();
  /** The last poll's ids (they are the set, in that poll's order). */
  private lastIds: readonly string[] = [];

  /** Starts from what was stored (after a restart), any order. */
  load(entries: Iterable<[string, number]>): void {
    for (const [id, at] of entries) this.lastSeen.set(id, at);
    this.order = [...this.lastSeen].sort((a, b) => a[1] - b[1]).map(([id, at]) => this.entry(id, at));
  }

  has(id: string): boolean {
    return this.lastSeen.has(id);
  }

  /** A decided narrative with no outcome yet (no-op when already awaiting). */
  add(id: string, lastSeenMs: number): void {
    if (this.lastSeen.has(id)) return;
    this.lastSeen.set(id, lastSeenMs);
    if (!this.inFeed.has(id)) this.order.push(this.entry(id, lastSeenMs));
  }

  /** Its outcome is known. */
  resolve(id: string): void {
    this.lastSeen.delete(id);
    this.deferred.delete(id);
    this.gen.delete(id); // its entries are stale anyway: it is no longer awaited
  }

  /** Looked up and still open: not returned by `take` before `untilMs`. */
  defer(id: string, untilMs: number): void {
    if (!this.lastSeen.has(id)) return;
    const before = this.deferred.get(id);
    const e = this.lastTaken.get(id);
    const live = e && this.lastSeen.get(id) === e.at && (this.gen.get(id) ?? 0) === e.gen ? { seq: e.seq, at: e.at } : null;
    const place = before ?? live ?? this.placeOf(id);
    this.gen.set(id, (this.gen.get(id) ?? 0) + 1); // its entry in the order goes stale
    this.deferred.set(id, { until: untilMs, seq: place.seq, at: place.at });
    this.heapPush([untilMs, id]);
  }

  /**
   * The poll's narratives (distinct, as a feed holds each once), seen at `nowMs`: those that left the feed since the
   * last poll join the order.
   */
  observeFeed(ids: readonly string[], nowMs: number): void {
    // Seen now: an older entry of theirs in the order goes stale (skipped, later compacted).
    const seen = () => {
      for (const id of ids) if (this.lastSeen.has(id)) this.lastSeen.set(id, nowMs);
    };
    // The same narratives as last poll (the common case): none left, and the set stays as it is. Most polls list them
    // in the same order too: compared place by place first, without a lookup.
    const same = ids.length === this.inFeed.size && (this.sameOrder(ids) || ids.every((id) => this.inFeed.has(id)));
    this.lastIds = ids;
    if (same) return seen();
    const next = new Set(ids);
    for (const id of this.inFeed) {
      if (next.has(id)) continue;
      const at = this.lastSeen.get(id);
      if (at !== undefined) {
        // Left the feed: a new place at the end (a deferral it had still holds, from that place).
        const d = this.deferred.get(id);
        if (d) {
          d.seq = this.nextSeq++;
          d.at = at;
        } else {
          this.order.push(this.entry(id, at));
        }
      }
    }
    seen();
    this.inFeed = next;
  }

  private sameOrder(ids: readonly string[]): boolean {
    const last = this.lastIds;
    if (last.length !== ids.length) return false;
    for (let i = 0; i < ids.length; i++) if (last[i] !== ids[i]) return false;
    return true;
  }

  /**
   * Up to `limit` awaiting narratives not in `exclude` and not deferred past `nowMs`, most recently seen first
   * (`filter` narrows further).
   */
  take(exclude: ReadonlySet<string>, limit: number, nowMs = Infinity, filter?: (id: string) => boolean): string[] {
    this.wake(nowMs);
    const out: string[] = [];
    const taken = new Set<string>();
    if (this.lastTaken.size) this.lastTaken = new Map();
    // Those in the feed now were seen last of all (the caller mostly excludes the feed: that is asked first).
    for (const id of this.inFeed) {
      if (out.length >= limit) return out;
      if (exclude.has(id) || !this.lastSeen.has(id) || this.deferred.has(id) || (filter && !filter(id))) continue;
      taken.add(id);
      out.push(id);
    }
    let skipped = 0;
    for (let i = this.order.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.order[i]!;
      if (this.lastSeen.get(e.id) !== e.at || (this.gen.get(e.id) ?? 0) !== e.gen || taken.has(e.id)) {
        skipped++;
        continue;
      }
      if (exclude.has(e.id) || (filter && !filter(e.id))) continue;
      taken.add(e.id);
      this.lastTaken.set(e.id, e);
      out.push(e.id);
    }
    // Stale entries (deferred, seen again, resolved) are scanned past on every call until compacted: compact early.
    if (skipped > 64 || this.order.length > 4 * this.lastSeen.size + 1_000) this.compact();
    return out;
  }

  get size(): number {
    return this.lastSeen.size;
  }

  private entry(id: string, at: number, seq = this.nextSeq++): Entry {
    return { id, at, seq, gen: this.gen.get(id) ?? 0 };
  }

  /** Where a narrative's live entry is (the newest that is not stale), or a new place at the end. */
  private placeOf(id: string): { seq: number; at: number } {
    const at = this.lastSeen.get(id)!;
    const g = this.gen.get(id) ?? 0;
    for (let i = this.order.length - 1; i >= 0; i--) {
      const e = this.order[i]!;
      if (e.id === id && e.at === at && e.gen === g) return { seq: e.seq, at };
    }
    return { seq: this.nextSeq++, at };
  }

  /** Deferred narratives whose time has come go back to their place in the order. */
  private wake(nowMs: number): void {
    while (this.heap.length && this.heap[0]![0] <= nowMs) {
      const [until, id] = this.heapPop();
      const d = this.deferred.get(id);
      if (!d || d.until !== until) continue;
      this.deferred.delete(id);
      if (!this.lastSeen.has(id)) continue;
      if (this.inFeed.has(id) || this.lastSeen.get(id) !== d.at) {
        // Seen again meanwhile: it takes its place when it leaves the feed, as any other.
        if (!this.inFeed.has(id)) this.order.push(this.entry(id, this.lastSeen.get(id)!));
        continue;
      }
      const e = this.entry(id, d.at, d.seq);
      let lo = 0;
      let hi = this.order.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.order[mid]!.seq < e.seq) lo = mid + 1;
        else hi = mid;
      }
      this.order.splice(lo, 0, e);
    }
  }

  private compact(): void {
    const seen = new Set<string>();
    const kept: Entry[] = [];
    for (let i = this.order.length - 1; i >= 0; i--) {
      const e = this.order[i]!;
      if (this.lastSeen.get(e.id) !== e.at || (this.gen.get(e.id) ?? 0) !== e.gen || seen.has(e.id)) continue;
      seen.add(e.id);
      kept.push(e);
    }
    this.order = kept.reverse();
  }

  private heapPush(item: [number, string]): void {
    const h = this.heap;
    h.push(item);
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (h[p]![0] <= h[i]![0]) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  private heapPop(): [number, string] {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]![0] < h[m]![0]) m = l;
        if (r < h.length && h[r]![0] < h[m]![0]) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}
