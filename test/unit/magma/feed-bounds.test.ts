// The feed is bounded before anything is stored (issue 12): an item 100,000 levels deep or above what int64
// lamports hold used to reach the store and fail every tick (STORE_FAILED, a crash loop under systemd); 100,000
// narratives in one feed took 258 s a tick. Now such items are dropped with their reason and the rest is stored.
import { describe, expect, it } from 'vitest';
import { MAX_SOL } from '../../../src/core/money.js';
import { MAX_FEED_ITEMS, MAX_ITEM_BYTES, parseFeed } from '../../../src/magma/schemas.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';

const item = (id: string, extra: Record<string, unknown> = {}) => ({
  id, title: `t ${id}`, thesis: 'x', category: 'Crypto', oracle_status: 'open', total_backed_sol: 1.5, backer_count: 2, challenge_count: 0, ...extra,
});

function deep(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = { v };
  return v;
}

function store(feed: ReturnType<typeof parseFeed>) {
  const s = SqliteStore.open(':memory:');
  const at = '2026-04-07T00:00:00.000Z';
  const changed = s.recordFeed(s.beginTick(at), at, feed!.narratives);
  s.close();
  return changed;
}

describe('feed bounds', () => {
  it('drops an item with a 100,000-deep extra field, with its reason, and stores the rest', () => {
    // JSON.parse builds it without trouble; JSON.stringify (the store) would overflow the stack
    const body = JSON.parse(`{"narratives":[${JSON.stringify(item('ok-1'))},{"id":"deep","oracle_status":"open","extra":${'{"v":'.repeat(100_000)}1${'}'.repeat(100_000)}}]}`) as unknown;
    const feed = parseFeed(body)!;
    expect(feed.narratives.map((n) => n.narrative.id)).toEqual(['ok-1']);
    expect(feed.dropped).toEqual([{ index: 1, id: 'deep', reason: 'item nested deeper than 32 levels: not stored' }]);
    expect(store(feed)).toBe(1);
  });

  it('drops an item larger than the per-item limit', () => {
    const feed = parseFeed({ narratives: [item('big', { blob: 'y'.repeat(MAX_ITEM_BYTES) }), item('fine', { tags: deep(20) })] })!;
    expect(feed.narratives.map((n) => n.narrative.id)).toEqual(['fine']);
    expect(feed.dropped[0]).toEqual({ index: 0, id: 'big', reason: `item larger than ${MAX_ITEM_BYTES} bytes: not stored` });
  });

  it('refuses total_backed_sol above what lamports in int64 hold; the largest that fits is stored', () => {
    const feed = parseFeed({ narratives: [item('huge', { total_backed_sol: 9.3e9 }), item('max', { total_backed_sol: MAX_SOL }), item('trillion', { total_backed_sol: 1e12 })] })!;
    expect(feed.narratives.map((n) => n.narrative.id)).toEqual(['max']);
    expect(feed.dropped.map((d) => [d.id, d.reason])).toEqual([
      ['huge', `total_backed_sol: total_backed_sol above ${MAX_SOL} SOL, more than lamports in int64 can hold`],
      ['trillion', `total_backed_sol: total_backed_sol above ${MAX_SOL} SOL, more than lamports in int64 can hold`],
    ]);
    expect(store(feed)).toBe(1);
  });

  it('keeps at most MAX_FEED_ITEMS narratives of a 100,000-item feed and counts the rest in one entry', () => {
    const feed = parseFeed({ narratives: Array.from({ length: 100_000 }, (_, i) => item(`n${i}`)) })!;
    expect(feed.narratives).toHaveLength(MAX_FEED_ITEMS);
    expect(feed.dropped).toEqual([{ index: MAX_FEED_ITEMS, id: null, reason: `${100_000 - MAX_FEED_ITEMS} items past the first ${MAX_FEED_ITEMS} dropped: a poll keeps at most ${MAX_FEED_ITEMS} narratives` }]);
  });

  it('a value the store cannot serialise is a store error that says so, not a disk problem, and does not stop the daemon', () => {
    const s = SqliteStore.open(':memory:');
    const at = '2026-04-07T00:00:00.000Z';
    const [{ narrative }] = parseFeed({ narratives: [item('a')] })!.narratives as unknown as [{ narrative: never }];
    let err: unknown;
    try {
      s.recordFeed(s.beginTick(at), at, [{ narrative, raw: deep(100_000) }]);
    } catch (e) {
      err = e;
    }
    s.close();
    expect(err).toMatchObject({ code: 'STORE_VALUE_REFUSED', consequence: 'skip' });
    expect((err as Error).message).toMatch(/^a value could not be recorded \(RangeError: .*\); the database and the disk are fine\.$/);
  });

  it('unicode, emoji, NUL and lone surrogates in text are stored as given; duplicate ids and ids past 128 characters are dropped with their reason', () => {
    const odd = 'nul\u0000 emoji 😀 rtl \u202e lone \ud800 end';
    const feed = parseFeed({ narratives: [
      item('a', { title: odd, thesis: odd, category: '😀' }),
      item('a', { title: 'the same id again' }),
      item('x'.repeat(10_000)),
      item('id\u0000😀'),
      item(' padded '),
    ] })!;
    expect(feed.narratives.map((n) => n.narrative.id)).toEqual(['a', 'id\u0000😀', 'padded']);
    expect(feed.narratives[0]!.narrative).toMatchObject({ title: odd, thesis: odd, category: '😀' });
    expect(feed.dropped.map((d) => [d.index, d.id?.length, d.reason])).toEqual([
      [1, 1, 'duplicate id in the same feed'],
      [2, 128, 'id: id longer than 128 characters'],
    ]);
    expect(store(feed)).toBe(3);
  });
});
