// Hostile and random input to the wire schemas: nothing throws, every list item is either used or dropped with a
// reason (never silently lost), and what is used is sound (ids present, lamports exact and in range).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentRankSchema, parseFeed, parseList, positionSchema, toAgentRank, toPosition } from '../../../src/magma/schemas.js';

const hostileValue = fc.oneof(
  fc.anything(),
  fc.string({ maxLength: 20_000 }),
  fc.double(),
  fc.constantFrom(null, undefined, NaN, Infinity, -Infinity, -0, 1e308, '1e400', '', ' ', '12.5', '-3', '0x10', {}, [], true),
);
const feedItem = fc.record({
  id: fc.oneof(fc.uuid(), hostileValue),
  title: hostileValue, thesis: hostileValue, category: hostileValue,
  oracle_status: fc.oneof(fc.constantFrom('open', 'live', 'pending'), hostileValue),
  total_backed_sol: fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), hostileValue),
  backer_count: fc.oneof(fc.nat(), hostileValue), challenge_count: fc.oneof(fc.nat(), hostileValue),
  created_at: hostileValue,
}, { requiredKeys: [] });

describe('wire schemas under hostile input', () => {
  it('parseFeed never throws and accounts for every item', () => {
    fc.assert(fc.property(fc.oneof(fc.array(fc.oneof(feedItem, hostileValue), { maxLength: 30 }), hostileValue), (list) => {
      const out = parseFeed({ narratives: list });
      if (!Array.isArray(list)) {
        expect(out).toBeNull();
        return;
      }
      expect(out!.narratives.length + out!.dropped.length).toBe(list.length);
      for (const { narrative } of out!.narratives) {
        expect(narrative.id.trim().length).toBeGreaterThan(0);
        expect(typeof narrative.totalBackedLamports).toBe('bigint');
        expect(narrative.totalBackedLamports >= 0n).toBe(true);
        expect(narrative.title.length).toBeLessThanOrEqual(4000);
      }
      for (const d of out!.dropped) expect(d.reason.length).toBeGreaterThan(0);
    }), { numRuns: 300 });
  });

  it('parseFeed of any bodies at all never throws', () => {
    fc.assert(fc.property(fc.anything(), (body) => {
      expect(() => parseFeed(body)).not.toThrow();
    }), { numRuns: 500 });
  });

  it('positions and leaderboard rows: used or dropped, lamports exact for the SOL sent', () => {
    const position = fc.record({
      id: fc.oneof(fc.uuid(), hostileValue), narrative_id: fc.oneof(fc.uuid(), hostileValue),
      amount_sol: fc.oneof(fc.integer({ min: 0, max: 10_000_000 }).map((l) => l / 1e6), hostileValue),
      usd_equivalent: hostileValue, yield_type: hostileValue, created_at: hostileValue, narratives: hostileValue,
    }, { requiredKeys: [] });
    fc.assert(fc.property(fc.array(fc.oneof(position, hostileValue), { maxLength: 20 }), (list) => {
      const out = parseList(list, positionSchema, toPosition)!;
      expect(out.items.length + out.dropped.length).toBe(list.length);
      // Each item is the row in its place among those not dropped (ids may repeat: a lookup by id finds another row).
      const used = list.map((_, i) => i).filter((i) => !out.dropped.some((d) => d.index === i));
      expect(used).toHaveLength(out.items.length);
      for (const [j, p] of out.items.entries()) {
        expect(p.amountLamports >= 0n).toBe(true);
        const raw = list[used[j]!] as { id?: unknown; amount_sol?: unknown } | undefined;
        expect(String(raw?.id).trim()).toBe(p.id);
        if (raw && typeof raw.amount_sol === 'number') {
          // Exact for an amount whose product by 1e6 is whole, below 2^40 micro-SOL (1.1 M SOL): there the double's own
          // error and the product's stay under half a lamport, so the amount is that many micro-SOL to the lamport
          // (nearer 2^53 they reached a whole micro-SOL, and an amount with more decimals could land on a whole
          // product). Otherwise (a hostile value) it is the nearest lamport of its decimal form, which a float
          // multiplication misses by one lamport, or by the product's own float spacing further out.
          const byFloat = BigInt(Math.round(raw.amount_sol * 1e9));
          const micro = raw.amount_sol * 1e6;
          if (Number.isInteger(micro) && Math.abs(micro) < 2 ** 40) expect(p.amountLamports).toBe(BigInt(micro) * 1000n);
          else {
            const slack = BigInt(Math.ceil(Math.abs(raw.amount_sol * 1e9) * Number.EPSILON)) + 1n;
            expect(p.amountLamports - byFloat <= slack && byFloat - p.amountLamports <= slack).toBe(true);
          }
        }
      }
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.array(fc.oneof(hostileValue, fc.record({ id: fc.uuid(), total_pnl_sol: fc.double({ min: -1e6, max: 1e6, noNaN: true }), total_volume_sol: fc.double({ min: 0, max: 1e6, noNaN: true }) })), { maxLength: 20 }), (list) => {
      const out = parseList(list, agentRankSchema, toAgentRank)!;
      expect(out.items.length + out.dropped.length).toBe(list.length);
    }), { numRuns: 300 });
  });
});
