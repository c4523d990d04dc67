// Narratives the agent decided on (or holds) whose outcome it does not know yet, in the order they were last seen in
// the feed, so that "the most recently seen ones not in the feed" costs what it returns, not the number of
// narratives a long run has met. Narratives leave the order as they are appended (when they leave the feed); stale
// and resolved entries are skipped, and compacted away once they are the majority.
export class AwaitingOutcomes {
  /** Awaiting narrative → when it was last seen (ms). */
  private readonly lastSeen = new Map<string, number>();
  /** Narratives as they left the feed, oldest first: [id, last seen]; an entry is stale when lastSeen differs. */
  private order: Array<[string, number]> = [];
  private inFeed = new Set<string>();

  /** Starts from what was stored (after a restart), any order. */
  load(entries: Iterable<[string, number]>): void {
    for (const [id, at] of entries) this.lastSeen.set(id, at);
    this.order = [...this.lastSeen].sort((a, b) => a[1] - b[1]);
  }

  has(id: string): boolean {
    return this.lastSeen.has(id);
  }

  /** A decided narrative with no outcome yet (no-op when already awaiting). */
  add(id: string, lastSeenMs: number): void {
    if (this.lastSeen.has(id)) return;
    this.lastSeen.set(id, lastSeenMs);
    if (!this.inFeed.has(id)) this.order.push([id, lastSeenMs]);
  }

  /** Its outcome is known. */
  resolve(id: string): void {
    this.lastSeen.delete(id);
  }

  /** The poll's narratives, seen at `nowMs`: those that left the feed since the last poll join the order. */
  observeFeed(ids: readonly string[], nowMs: number): void {
    const next = new Set(ids);
    for (const id of this.inFeed) {
      if (next.has(id)) continue;
      const at = this.lastSeen.get(id);
      if (at !== undefined) {
        this.order.push([id, at]);
      }
    }
    // Seen now: an older entry of theirs in the order goes stale (skipped, later compacted).
    for (const id of next) if (this.lastSeen.has(id)) this.lastSeen.set(id, nowMs);
    this.inFeed = next;
  }

  /** Up to `limit` awaiting narratives not in `exclude`, most recently seen first (`filter` narrows further). */
  take(exclude: ReadonlySet<string>, limit: number, filter?: (id: string) => boolean): string[] {
    const out: string[] = [];
    const taken = new Set<string>();
    // Those in the feed now were seen last of all.
    for (const id of this.inFeed) {
      if (out.length >= limit) return out;
      if (!this.lastSeen.has(id) || exclude.has(id) || (filter && !filter(id))) continue;
      taken.add(id);
      out.push(id);
    }
    let skipped = 0;
    for (let i = this.order.length - 1; i >= 0 && out.length < limit; i--) {
      const [id, at] = this.order[i]!;
      if (this.lastSeen.get(id) !== at || taken.has(id)) {
        skipped++;
        continue;
      }
      if (exclude.has(id) || (filter && !filter(id))) continue;
      taken.add(id);
      out.push(id);
    }
    if (skipped > 1_000 || this.order.length > 4 * this.lastSeen.size + 1_000) this.compact();
    return out;
  }

  get size(): number {
    return this.lastSeen.size;
  }

  private compact(): void {
    const seen = new Set<string>();
    const kept: Array<[string, number]> = [];
    for (let i = this.order.length - 1; i >= 0; i--) {
      const [id, at] = this.order[i]!;
      if (this.lastSeen.get(id) !== at || seen.has(id)) continue;
      seen.add(id);
      kept.push([id, at]);
    }
    this.order = kept.reverse();
  }
}
