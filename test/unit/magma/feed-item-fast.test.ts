// The fast reader of feed items gives exactly what the schema gives, or nothing (and the schema decides).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastFeedItem } from '../../../src/magma/feed-item-fast.js';
import { feedItemSchema, MAX_TOTAL_SOL, toNarrative } from '../../../src/magma/schemas.js';

const value = fc.oneof(
  fc.constant(undefined), fc.constant(null), fc.string({ maxLength: 12 }), fc.constant(' padded '), fc.constant('x'.repeat(4_001)),
  fc.integer({ min: -5, max: 2_000_000_000 }), fc.double({ noNaN: false }), fc.constant(1e13), fc.constant(-0), fc.boolean(), fc.constant([]), fc.constant({}),
);
const item = fc.record({
  id: fc.oneof(fc.uuid(), value), title: value, thesis: value, category: value, oracle_status: fc.oneof(fc.constantFrom('live', 'open', 'pending'), value),
  total_backed_sol: fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), value), backer_count: fc.oneof(fc.nat(1000), value),
  challenge_count: fc.oneof(fc.nat(1000), value), created_at: fc.oneof(fc.constant('2026-01-01T00:00:00.000Z'), value), extra: value,
}, { requiredKeys: [] });

describe('fast feed item reader', () => {
  it('agrees with the schema on every item it reads, and reads the canonical ones', () => {
    let read = 0;
    fc.assert(fc.property(item, (raw) => {
      const fast = fastFeedItem(raw, MAX_TOTAL_SOL);
      if (!fast) return;
      read++;
      const parsed = feedItemSchema.safeParse(raw);
      expect(parsed.success).toBe(true);
      expect(fast).toEqual(toNarrative(parsed.data!));
    }), { numRuns: 5_000 });
    expect(read).toBeGreaterThan(0);
    // Items as a feed sends them are read (and equal the schema's reading).
    const wellFormed = fc.record({
      id: fc.uuid(), title: fc.string({ maxLength: 80 }), thesis: fc.string({ maxLength: 200 }), category: fc.constantFrom('MARKET', 'TECH'),
      oracle_status: fc.constantFrom('live', 'open', 'pending', 'resolved_true'), total_backed_sol: fc.double({ min: 0, max: 1e6, noNaN: true }),
      backer_count: fc.nat(10_000), challenge_count: fc.nat(10_000), created_at: fc.constant('2026-01-01T00:00:00.000Z'),
    });
    fc.assert(fc.property(wellFormed, (raw) => {
      expect(fastFeedItem(raw, MAX_TOTAL_SOL)).toEqual(toNarrative(feedItemSchema.parse(raw)));
    }), { numRuns: 2_000 });
    const canonical = { id: 'a1', title: 'SOL above $250', thesis: 't', category: 'MARKET', oracle_status: 'live', total_backed_sol: 19.07, backer_count: 7, challenge_count: 3, created_at: '2026-01-01T00:00:00.000Z' };
    expect(fastFeedItem(canonical, MAX_TOTAL_SOL)).toEqual(toNarrative(feedItemSchema.parse(canonical)));
  });
});
