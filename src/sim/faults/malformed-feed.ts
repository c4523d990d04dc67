// Feed items a defensive client must survive: unknown and missing fields, wrong types, a duplicate, a huge string
// and a non-object. They are appended to the real items, so a client that drops the bad ones still sees the world.

export function malformedFeedItems(good: ReadonlyArray<Record<string, unknown>>): unknown[] {
  const base = good[0] ?? { id: '00000000-0000-4000-8000-0000000000ff', title: 't', thesis: 't', category: 'MARKET', oracle_status: 'open',
    total_backed_sol: 1, backer_count: 1, challenge_count: 0, created_at: '2026-01-01T00:00:00.000Z' };
  const { title: _title, ...noTitle } = base;
  return [
    { ...base, id: 'f0000000-0000-4000-8000-000000000001', surprise_field: { nested: [1, 2, 3] }, another_unknown: 'ignore me' },
    { ...noTitle, id: 'f0000000-0000-4000-8000-000000000002' },
    { ...base, id: 'f0000000-0000-4000-8000-000000000003', total_backed_sol: 'lots', backer_count: '12', created_at: 12345 },
    { ...base },
    { ...base, id: 'f0000000-0000-4000-8000-000000000005', title: 'A'.repeat(200_000), thesis: 'B'.repeat(200_000) },
    { ...base, id: null, oracle_status: 'exploded' },
    'not an object',
    null,
  ];
}
