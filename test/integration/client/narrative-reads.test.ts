// The per-narrative public reads (PROTOCOL.md section 9) against the simulator: the narrative flat or wrapped, its
// oracle result with confidence and sources once resolved, the challenge window deciding is_final, and the running /
// under_review states a fault puts a narrative in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { HttpTransport } from '../../../src/http/transport.js';
import { HttpMagmaApi } from '../../../src/magma/http-magma-api.js';
import { parseNarrativeDetail, parseOracleResult } from '../../../src/magma/narrative-schemas.js';
import { NarrativeOutcomeSource } from '../../../src/outcomes/narrative-outcome-source.js';
import { applyFaults } from '../../../src/sim/routes/control.js';
import { Simulator } from '../../../src/sim/simulator.js';
import { startTimeForSeed } from '../../../src/sim/world/world.js';

describe('per-narrative reads against the simulator', () => {
  const clock = new ManualClock(startTimeForSeed(5));
  const sim = new Simulator({ seed: 5, clock });
  let transport: HttpTransport;
  let api: HttpMagmaApi;

  beforeAll(async () => {
    const urls = await sim.start();
    transport = new HttpTransport({ baseUrl: urls.api, timeoutMs: 5_000, readRetries: 0 });
    api = new HttpMagmaApi({ transport, apiKey: () => null });
  });
  afterAll(async () => {
    await transport.close();
    await sim.stop();
  });

  const resolvedOne = () => sim.state.world.narratives().find((n) => n.resolvedAt !== null && n.outcome !== 'refund');

  it('reads an open narrative with its deadline, resolution date and pools, flat or wrapped alike', async () => {
    const open = sim.state.world.feed(1)[0]!;
    const flat = await api.narrative(open.id);
    expect(flat).toMatchObject({ id: open.id, status: open.status, isFinal: false, resolvedAt: null, confidence: null });
    expect(Date.parse(flat.deadlineAt!)).toBe(open.deadline);
    expect(Date.parse(flat.resolutionDate!)).toBeGreaterThan(open.deadline);
    expect(flat.truePoolUsd).toBeGreaterThanOrEqual(0);
    expect(flat.falsePoolUsd).toBeGreaterThanOrEqual(0);
    applyFaults(sim.state, { narrativeWrapped: true });
    try {
      expect(await api.narrative(open.id)).toEqual(flat);
    } finally {
      applyFaults(sim.state, { narrativeWrapped: false });
    }
    expect(await api.oracleResult(open.id)).toBeNull(); // no result before it resolves
  });

  it('is not final inside the challenge window, final after it, with the oracle confidence and weighted sources', async () => {
    clock.advance(4 * 24 * 3_600_000); // the first narratives resolve
    const n = resolvedOne()!;
    expect(n).toBeDefined();
    applyFaults(sim.state, { challengeWindowMinutes: 10 * 24 * 60 });
    const inWindow = await api.narrative(n.id);
    expect(inWindow.status).toBe(n.status);
    expect(inWindow.isFinal).toBe(false);
    applyFaults(sim.state, { challengeWindowMinutes: 0 });
    const final = await api.narrative(n.id);
    expect(final.isFinal).toBe(true);
    const oracle = await api.oracleResult(n.id);
    expect(oracle).toMatchObject({ narrativeId: n.id, result: n.outcome === 'true' ? 'TRUE' : 'FALSE' });
    expect(oracle!.confidence).toBeGreaterThanOrEqual(0.8);
    expect(oracle!.sources.length).toBeGreaterThan(1);
    expect(oracle!.sources.reduce((s, x) => s + (x.weight ?? 0), 0)).toBeCloseTo(1, 6);
    expect(final.confidence).toBe(oracle!.confidence);
  });

  it('shows a narrative running or under review while the fault holds it there, never final', async () => {
    const n = resolvedOne()!;
    const open = sim.state.world.feed(1)[0]!;
    applyFaults(sim.state, { oracleStates: { [n.id]: 'under_review', [open.id]: 'running' } });
    try {
      expect(await api.narrative(n.id)).toMatchObject({ status: 'under_review', isFinal: false });
      expect(await api.narrative(open.id)).toMatchObject({ status: 'running', isFinal: false });
    } finally {
      applyFaults(sim.state, { oracleStates: { [n.id]: null, [open.id]: null } });
    }
    expect((await api.narrative(open.id)).status).toBe(open.status);
  });

  it('lists the most recently resolved first, a page at a time, items as the per-narrative read shows them', async () => {
    const page = await api.narratives({ status: 'resolved', limit: 5 });
    const resolved = sim.state.world.narratives().filter((n) => n.resolvedAt !== null);
    expect(page.total).toBe(resolved.length);
    expect(page.items).toHaveLength(5);
    const times = page.items.map((d) => Date.parse(d.resolvedAt!));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(page.items[0]).toEqual(await api.narrative(page.items[0]!.id));
    const next = await api.narratives({ status: 'resolved', limit: 5, offset: 5 });
    expect(next.items.map((d) => d.id)).not.toContain(page.items[0]!.id);
    await expect(api.narratives({ status: 'resolved', limit: 500 })).rejects.toMatchObject({ code: 'API_BAD_REQUEST' });
  });

  it('answers 404 for an unknown narrative as a skip, and the backers of one as a list', async () => {
    await expect(api.narrative('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ code: 'API_NOT_FOUND' });
    expect(await api.narrativeBackers(sim.state.world.feed(1)[0]!.id)).toEqual([]);
  });

  it('reads the shapes the public texts show: percentages, booleans, a null oracle_result', () => {
    expect(parseNarrativeDetail({ narrative: { id: 'a', status: 'resolved_true', confidence: 87, is_final: true } })).toMatchObject({ status: 'resolved_true', confidence: 0.87, isFinal: true });
    expect(parseNarrativeDetail({ id: 'a' })).toBeNull();
    expect(parseOracleResult({ result: 'true', confidence: 0.9, sources: [{ name: 'odds_api', weight: '0.5', value: 'home win' }, { weight: 1 }] }, 'x'))
      .toEqual({ narrativeId: 'x', result: 'TRUE', confidence: 0.9, sources: [{ name: 'odds_api', weight: 0.5, value: 'home win' }], resolvedAt: null });
    expect(parseOracleResult({ result: null }, 'x')).toBeNull();
  });

  it('reads a resolution given as `status: "resolved"` with its `resolution`, and sources as names, objects or a map', () => {
    expect(parseNarrativeDetail({ id: 'a', status: 'resolved', resolution: 'TRUE', is_final: true })).toMatchObject({ status: 'resolved_true', isFinal: true });
    expect(parseNarrativeDetail({ id: 'a', status: 'resolved', resolution: 'resolved_false' })).toMatchObject({ status: 'resolved_false' });
    expect(parseNarrativeDetail({ id: 'a', status: 'resolved', resolution: null })).toMatchObject({ status: 'resolved' }); // not final: no side
    expect(parseNarrativeDetail({ id: 'a', status: 'refunded' })).toMatchObject({ status: 'refund' });
    expect(parseNarrativeDetail({ id: 'a', oracle_status: 'under_review', status: 'resolved', resolution: 'TRUE' })).toMatchObject({ status: 'under_review' });
    expect(parseNarrativeDetail({ id: 'a', status: 'resolved_true', confidence: '87%', sources_used: ['coingecko', { name: 'gpt', weight: 0.3 }, 7] }))
      .toMatchObject({ confidence: 0.87, sourcesUsed: [{ name: 'coingecko', weight: null, value: null }, { name: 'gpt', weight: 0.3, value: null }] });
    expect(parseNarrativeDetail({ id: 'a', status: 'resolved_true', sources_used: 3 })).toMatchObject({ sourcesUsed: null });
    // times as epoch seconds or milliseconds: a window given so is still a window (read as none, it settled at once)
    expect(parseNarrativeDetail({ id: 'a', status: 'resolved_true', challenge_window_closes_at: 1_796_000_000, resolved_at: 1_795_000_000_000 }))
      .toMatchObject({ challengeWindowClosesAt: '2026-11-30T00:53:20.000Z', resolvedAt: '2026-11-18T11:06:40.000Z' });
    expect(parseOracleResult({ result: 'resolved_false', confidence: 91, sources: ['pyth', 'web_search'] }, 'x'))
      .toMatchObject({ result: 'FALSE', confidence: 0.91, sources: [{ name: 'pyth', weight: null }, { name: 'web_search', weight: null }] });
    expect(parseOracleResult({ resolution: 'true', sources: { price_feed: 0.3, odds_api: '0.5' } }, 'x'))
      .toMatchObject({ result: 'TRUE', confidence: null, sources: [{ name: 'price_feed', weight: 0.3 }, { name: 'odds_api', weight: 0.5 }] });
  });

  it('the outcome source asks nothing while the public budget is low, and keeps what it learnt when MAGMA fails midway', async () => {
    const resolved = sim.state.world.narratives().filter((n) => n.resolvedAt !== null && n.outcome !== 'refund').slice(0, 3).map((n) => n.id);
    const open = sim.state.world.feed(1)[0]!;
    applyFaults(sim.state, { challengeWindowMinutes: 0 });
    const low = new NarrativeOutcomeSource({ api, clock, budgetLeft: () => 1 });
    expect(await low.outcomes(resolved)).toEqual([]);
    for (const id of resolved) expect(low.retryAt(id)).toBe('not-asked');

    const source = new NarrativeOutcomeSource({ api, clock });
    // the open narrative: not final, asked again no earlier than its resolution date
    expect(await source.outcomes([open.id])).toEqual([]);
    expect(source.retryAt(open.id)).toBe(open.deadline + 3_600_000);
    // MAGMA fails after the first read: the first outcome counts, the rest are left for the next tick
    let reads = 0;
    const failing = new NarrativeOutcomeSource({
      api: { narrative: (id, signal) => (reads++ === 0 ? api.narrative(id, signal) : Promise.reject(Object.assign(new Error('down'), { code: 'API_SERVER_ERROR' }))), oracleResult: (id, signal) => api.oracleResult(id, signal) },
      clock,
    });
    const got = await failing.outcomes(resolved);
    expect(got.map((o) => o.narrativeId)).toEqual([resolved[0]]);
    expect(got[0]!.confidence).toBeGreaterThanOrEqual(0.8);
    expect(failing.retryAt(resolved[1]!)).toBe('not-asked');
    applyFaults(sim.state, { challengeWindowMinutes: 60 });
  });

  it('a page of the resolved that says neither is_final nor the challenge window does not settle: each read decides', async () => {
    const resolved = sim.state.world.narratives().filter((n) => n.resolvedAt !== null && n.outcome !== 'refund').slice(0, 4).map((n) => n.id);
    expect(resolved).toHaveLength(4);
    applyFaults(sim.state, { challengeWindowMinutes: 10 * 24 * 60 }); // all still open to challenges
    try {
      const summaries = new NarrativeOutcomeSource({
        api: {
          narrative: (id, signal) => api.narrative(id, signal),
          oracleResult: (id, signal) => api.oracleResult(id, signal),
          // list items as summaries: the status, without is_final or the window
          narratives: async (q, signal) => {
            const page = await api.narratives(q, signal);
            return { ...page, items: page.items.map((d) => ({ ...d, isFinal: null, challengeWindowClosesAt: null })) };
          },
        },
        clock,
      });
      expect(await summaries.outcomes(resolved)).toEqual([]);
      applyFaults(sim.state, { challengeWindowMinutes: 0 });
      expect((await summaries.outcomes(resolved)).map((o) => o.narrativeId).sort()).toEqual([...resolved].sort());
    } finally {
      applyFaults(sim.state, { challengeWindowMinutes: 60 });
    }
  });
});
