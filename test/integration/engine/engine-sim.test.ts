// The engine against the real simulator on loopback, with a manual clock shared by both: gates, records, faults.
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../../src/app/agent.js';
import type { MagmaError } from '../../../src/core/errors.js';
import type { Simulator } from '../../../src/sim/simulator.js';
import { SqliteJournal } from '../../../src/store/sqlite-journal.js';
import { startSimAgent, type SimAgent } from '../../helpers/sim-agent.js';

let sim: Simulator;
let agent: Agent;
let fault: SimAgent['fault'];
let close: (() => Promise<void>) | undefined;

async function setup(seed = 3) {
  const t = await startSimAgent({ seed });
  ({ sim, agent, fault, close } = t);
  return t;
}

const reasons = () => agent.store.db.prepare(`SELECT reasons_json FROM decisions`).pluck().all().map((j) => JSON.parse(j as string) as string[]);

afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('engine against the simulator', () => {
  it('records every step of a tick and backs within the limits in dry-run', async () => {
    await setup();
    const s = await agent.engine.tick();
    expect(s.gates.backing).toEqual({ open: true, reason: null });
    expect(s.feedCount).toBeGreaterThan(10);
    expect(s.balance).toBe(20_000_000_000n); // the simulator funds a new wallet with 20 SOL
    const journal = new SqliteJournal(agent.store);
    expect(journal.ledger).toBe('dry-run');
    expect(journal.backingsInStates(['simulated'])).toHaveLength(s.backed.length);
    for (const d of s.backed) expect(d.stakeLamports).toBeLessThanOrEqual(1_000_000_000n);
    const opinionRows = agent.store.db.prepare(`SELECT COUNT(*) FROM opinions WHERE strategy = 'crowd'`).pluck().get();
    expect(opinionRows).toBe(s.feedCount);
  });

  it('sees narratives change as simulated time passes and stores only the changes', async () => {
    const { clock } = await setup();
    const first = await agent.engine.tick();
    clock.advance(60 * 60_000);
    const later = await agent.engine.tick();
    expect(first.changed).toBe(first.feedCount);
    expect(later.changed).toBeGreaterThan(0);
    expect(later.changed).toBeLessThanOrEqual(later.feedCount);
  });

  it('backs nothing while the backing component is halted, and records why', async () => {
    await setup();
    await fault({ halted: ['backing'] });
    const s = await agent.engine.tick();
    expect(s.backed).toEqual([]);
    expect(s.gates.backing.reason).toBe('protocol halted: backing');
    expect(reasons().some((r) => r.includes('gate closed: protocol halted: backing'))).toBe(true);
    expect(s.gates.resolution.open).toBe(true); // only backing is halted
  });

  it('backs nothing while the terms are not accepted, and says what to do', async () => {
    await setup();
    await fault({ termsRejected: ['*'] });
    const s = await agent.engine.tick();
    expect(s.backed).toEqual([]);
    expect(s.gates.backing.reason).toMatch(/terms not accepted: accept the latest terms .* in the MAGMA app/);
  });

  it('reports a 429 on the feed with the simulator\'s retry-after, and records the call', async () => {
    await setup();
    const key = agent.agentKey.apiKey;
    for (let i = 0; i < 60; i++) {
      const r = await request(`${sim.urls.api}/v1/agent/feed`, { headers: { 'x-api-key': key } });
      await r.body.dump();
    }
    const err = await agent.engine.tick().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'API_RATE_LIMITED' });
    expect((err as MagmaError<'API_RATE_LIMITED'>).context.retryAfterMs).toBeGreaterThan(0);
    const last = agent.store.db.prepare(`SELECT status, ratelimit_remaining FROM api_calls WHERE route = '/v1/agent/feed' ORDER BY id DESC LIMIT 1`).get();
    expect(last).toEqual({ status: 429, ratelimit_remaining: 0 });
    expect(agent.store.db.prepare(`SELECT status, error_code FROM ticks`).get()).toEqual({ status: 'failed', error_code: 'API_RATE_LIMITED' });
  });
});
