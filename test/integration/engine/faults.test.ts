// The error paths an operator meets, driven through the real simulator's faults: each ends the tick cleanly with a
// message that says what happened, records it, loses nothing already recorded, and the next tick recovers.
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../../src/app/agent.js';
import type { ManualClock } from '../../../src/clock/manual-clock.js';
import { capturingLogger } from '../../helpers/live-sim.js';
import { startSimAgent, type SimAgent } from '../../helpers/sim-agent.js';
import { errorMessage, isMagmaError } from '../../../src/core/errors.js';

let agent: Agent;
let logs: Array<Record<string, unknown>>;
let clock: ManualClock;
let fault: SimAgent['fault'];
let close: (() => Promise<void>) | undefined;

async function setup(seed = 21) {
  const captured = capturingLogger();
  logs = captured.logs;
  ({ agent, clock, fault, close } = await startSimAgent({ seed, logger: captured.logger }));
}

const ticks = () => agent.store.db.prepare('SELECT status, error_code, error FROM ticks ORDER BY id').all() as Array<{ status: string; error_code: string | null; error: string | null }>;
const events = () => logs;

afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('faults against the simulator', () => {
  it('a burst of 5xx on the feed fails the tick with what to do, and the next tick recovers', async () => {
    await setup();
    await fault({ burst: { family: 'feed', kind: 'error', count: 3, status: 503 } });
    const err = await agent.engine.tick().catch((e: unknown) => e);
    expect(isMagmaError(err)).toBe(true);
    expect(errorMessage(err)).toMatch(/503/);
    expect(errorMessage(err)).toMatch(/retries on its next tick|No writes are sent/);
    clock.advance(60_000);
    const ok = await agent.engine.tick();
    expect(ok.feedCount).toBeGreaterThan(0);
    expect(ticks().map((t) => t.status)).toEqual(['failed', 'ok']);
  });

  it('an HTML error page instead of JSON is named as such', async () => {
    await setup();
    await fault({ burst: { family: 'feed', kind: 'html', count: 3, status: 502 } });
    const err = await agent.engine.tick().catch((e: unknown) => e);
    expect(errorMessage(err)).toMatch(/HTML/);
    expect(ticks()[0]!.status).toBe('failed');
  });

  it('malformed feed items are dropped with their reasons, and the rest of the feed goes on', async () => {
    await setup();
    await fault({ malformedFeed: 1 });
    const s = await agent.engine.tick();
    expect(s.dropped).toBeGreaterThan(0);
    expect(s.feedCount).toBeGreaterThan(0);
    const drops = events().filter((e) => e.message === 'feed.item_dropped');
    expect(drops.length).toBe(s.dropped);
    for (const d of drops) expect(typeof d.reason).toBe('string');
    expect(agent.store.runSummary().narratives).toBe(s.feedCount);
  });

  it('an RPC outage leaves the balance unknown: reads go on, nothing is backed, and the reason is recorded', async () => {
    await setup();
    await fault({ burst: { family: 'rpc', kind: 'error', count: -1, status: 503 } });
    const s = await agent.engine.tick();
    expect(s.balance).toBeNull();
    expect(s.backed).toEqual([]);
    const reasons = agent.store.db.prepare(`SELECT reasons_json FROM decisions`).pluck().all() as string[];
    expect(reasons.some((r) => r.includes('wallet balance unknown'))).toBe(true);
    expect(events().some((e) => e.message === 'balance.unknown')).toBe(true);
  });

  it('a flagged wallet closes every write', async () => {
    await setup();
    await fault({ flagged: ['*'] });
    const s = await agent.engine.tick();
    expect(s.backed).toEqual([]);
    expect(s.gates.backing.reason).toMatch(/^wallet flagged/);
    expect(s.gates.resolution.open).toBe(false);
  });

  it('a full disk fails the write with what to do, and keeps every row already committed', async () => {
    await setup();
    await agent.engine.tick();
    const before = agent.store.runSummary().snapshots;
    // cap the database at its current size: the next growth is SQLITE_FULL, as on a full disk
    const pages = agent.store.db.pragma('page_count', { simple: true }) as number;
    agent.store.db.pragma(`max_page_count = ${pages}`);
    let err: unknown;
    for (let i = 0; i < 50 && !err; i++) {
      clock.advance(30 * 60_000);
      err = await agent.engine.tick().catch((e: unknown) => e);
    }
    expect(isMagmaError(err, 'STORE_FAILED')).toBe(true);
    expect(errorMessage(err)).toMatch(/is full: free space there, then restart; nothing recorded so far was lost/);
    agent.store.db.pragma('max_page_count = 1073741823');
    expect(agent.store.runSummary().snapshots).toBeGreaterThanOrEqual(before);
    expect(agent.store.integrityCheck()).toBe('ok');
  });
});
