// What the executor's integration tests share: a manual clock that runs hooks as the agent sleeps (how a fault is
// switched on mid-flight), backing one narrative through the executor as the engine would, and the wallet's
// transfers and reports on the simulator's ledger.
import { ManualClock } from '../../src/clock/manual-clock.js';
import type { Decision } from '../../src/core/decide.js';
import type { Narrative } from '../../src/core/narrative.js';
import { isoNow } from '../../src/ports/clock.js';
import { afterEach } from 'vitest';
import { startTimeForSeed } from '../../src/sim/world/world.js';
import { startLiveSim, type LiveSim } from './live-sim.js';

export class HookClock extends ManualClock {
  sleeps = 0;
  hooks: Array<(n: number) => void> = [];
  override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps++;
    for (const h of this.hooks) h(this.sleeps);
    return super.sleep(ms, signal);
  }
}

export const STAKE = 100_000_000n;

/** Backs one narrative (the first open one unless named) through the executor, as the engine would after deciding to. */
export async function backOne(l: LiveSim, stake = STAKE, id?: string) {
  const n = id ? l.sim.state.world.get(id)! : l.sim.state.world.feed(50).find((x) => x.status === 'open' || x.status === 'live')!;
  const narrative: Narrative = {
    id: n.id, title: n.title, thesis: n.thesis, category: n.category, oracleStatus: n.status, totalBackedLamports: n.totalBackedLamports,
    backerCount: n.backerCount, challengeCount: n.challengeCount, createdAt: new Date(n.createdAt).toISOString(),
  };
  const decision: Decision = { narrativeId: n.id, action: 'back', stakeLamports: stake, pTrue: 0.9, confidence: 0.6, edge: 0.04, expectedValue: 0.01, reasons: ['test'] };
  const store = l.agent.store;
  const tickId = store.beginTick(isoNow(l.clock));
  const decisionId = store.recordDecision(tickId, decision, isoNow(l.clock));
  return l.agent.executor.execute({ decision, decisionId, narrative });
}

export async function walletTransfers(l: LiveSim) {
  const ledger = await l.ledger();
  const wallet = l.agent.walletAddress;
  return { ledger, transfers: ledger.transfers.filter((t) => t.kind === 'backing' && t.wallet === wallet), reports: ledger.reports.filter((r) => r.wallet === wallet) };
}

/** The `msg` of every log event with this name, in order. */
export const said = (l: LiveSim, event: string) => l.logs.filter((x) => x.message === event).map((x) => String(x.msg));

/**
 * A live agent over its own simulator per test, on a HookClock at seed 3's start, closed after each test: `start`
 * takes config flags over `defaults` (the last one started is the one closed).
 */
export function liveSimPerTest(defaults: Record<string, unknown>) {
  let live: LiveSim | undefined;
  afterEach(async () => {
    await live?.close();
    live = undefined;
  });
  return async (flags: Record<string, unknown> = {}) => {
    const clock = new HookClock(startTimeForSeed(3));
    live = await startLiveSim({ clock, flags: { ...defaults, ...flags } });
    return { live, clock };
  };
}
