import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AwaitingOutcomes } from '../../../src/store/awaiting-outcomes.js';

describe('narratives awaiting an outcome', () => {
  it('keeps a deferred narrative out until it is due, then back in its own place', () => {
    const a = new AwaitingOutcomes();
    a.observeFeed(['x', 'y', 'z'], 0);
    for (const id of ['x', 'y', 'z']) a.add(id, 0);
    a.observeFeed(['y', 'z'], 1_000); // x leaves
    a.observeFeed(['z'], 2_000); // y leaves
    a.observeFeed([], 3_000); // z leaves
    expect(a.take(new Set(), 10, 3_000)).toEqual(['z', 'y', 'x']);
    a.defer('y', 10_000);
    expect(a.take(new Set(), 10, 9_999)).toEqual(['z', 'x']);
    expect(a.take(new Set(), 10, 10_000)).toEqual(['z', 'y', 'x']);
    a.resolve('z');
    a.defer('x', 20_000);
    expect(a.take(new Set(), 10, 15_000)).toEqual(['y']);
  });

  // The order and the deferrals against the plain definition: the awaiting narratives not in the feed and not
  // deferred past now, most recently seen first (by when they left the feed).
  it('answers as a filter over everything would, whatever the sequence (property)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('feed' as const), ids: fc.uniqueArray(fc.integer({ min: 0, max: 11 }), { maxLength: 6 }) }),
      // the last feed again (most polls), or the same narratives in another order
      fc.record({ kind: fc.constant('again' as const), reorder: fc.boolean() }),
      fc.record({ kind: fc.constant('add' as const), id: fc.integer({ min: 0, max: 11 }) }),
      fc.record({ kind: fc.constant('resolve' as const), id: fc.integer({ min: 0, max: 11 }) }),
      fc.record({ kind: fc.constant('take' as const), limit: fc.integer({ min: 1, max: 5 }), defer: fc.integer({ min: 0, max: 5 }) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const a = new AwaitingOutcomes();
      // The model: last seen, the time each left the feed (its place), the deferral.
      const lastSeen = new Map<string, number>();
      const place = new Map<string, number>();
      const until = new Map<string, number>();
      let inFeed = new Set<string>();
      let lastIds: string[] = [];
      let now = 0;
      let seq = 0;
      for (const o of ops) {
        now += 1_000;
        if (o.kind === 'feed' || o.kind === 'again') {
          // each poll's list is a new array of new strings, as a parsed feed's is
          const ids = o.kind === 'feed' ? o.ids.map(String) : (o.reorder ? [...lastIds].reverse() : lastIds).map((id) => `${id}`);
          lastIds = ids;
          const next = new Set(ids);
          for (const id of inFeed) if (!next.has(id) && lastSeen.has(id)) place.set(id, seq++);
          for (const id of next) if (lastSeen.has(id)) lastSeen.set(id, now);
          inFeed = next;
          a.observeFeed(ids, now);
        } else if (o.kind === 'add') {
          const id = String(o.id);
          if (!lastSeen.has(id)) {
            lastSeen.set(id, 0);
            if (!inFeed.has(id)) place.set(id, seq++);
          }
          a.add(id, 0);
        } else if (o.kind === 'resolve') {
          lastSeen.delete(String(o.id));
          until.delete(String(o.id));
          a.resolve(String(o.id));
        } else {
          const expected = [...lastSeen.keys()]
            .filter((id) => !inFeed.has(id) && (until.get(id) ?? -1) <= now)
            .sort((x, y) => place.get(y)! - place.get(x)!)
            .slice(0, o.limit);
          const got = a.take(inFeed, o.limit, now);
          expect(got).toEqual(expected);
          for (const id of got.slice(0, o.defer)) {
            until.set(id, now + 2_500);
            a.defer(id, now + 2_500);
          }
        }
      }
    }), { numRuns: 300, seed: 11 });
  });
});
