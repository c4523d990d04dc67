// A live agent (real executor, real journal) against the in-process simulator on loopback, both on one manual clock:
// every sleep of the agent advances simulated time at once, so confirmations, expiries and retry-afters take no
// real time.
import { mkdtempSync } from 'node:fs';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { createAgent, type Agent } from '../../src/app/agent.js';
import { ManualClock } from '../../src/clock/manual-clock.js';
import type { Clock } from '../../src/ports/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import { Simulator } from '../../src/sim/simulator.js';
import { startTimeForSeed } from '../../src/sim/world/world.js';
import { ROOT } from './cli.js';

export const GOOD_STRATEGY = join(ROOT, 'test', 'fixtures', 'strategies', 'good.mjs');

export interface LedgerTransfer { signature: string; kind: string; wallet: string | null; narrative_id: string | null; lamports: string; state: string }
export interface LedgerReport { signature: string; wallet: string; narrative_id: string; lamports: string; chain_state: string }
export interface Ledger { transfers: LedgerTransfer[]; reports: LedgerReport[]; dropped: string[] }

export interface LiveSim {
  sim: Simulator;
  clock: ManualClock;
  agent: Agent;
  logs: Array<Record<string, unknown>>;
  ledger(): Promise<Ledger>;
  fault(body: unknown): Promise<void>;
  rows(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** A logger that keeps every event as an object (what the operator would read). */
export function capturingLogger(): { logger: Logger; logs: Array<Record<string, unknown>> } {
  const logs: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', format: 'json', stream }), logs };
}

export async function startLiveSim(o: { seed?: number; flags?: Record<string, unknown>; dataDir?: string; clock?: Clock; sim?: Simulator } = {}): Promise<LiveSim> {
  const seed = o.seed ?? 3;
  // Any clock may drive both (a VirtualClock for loops running side by side); tests that advance time pass a ManualClock.
  const clock = (o.clock ?? new ManualClock(startTimeForSeed(seed))) as ManualClock;
  const sim = o.sim ?? new Simulator({ seed, clock });
  const urls = o.sim ? o.sim.urls : await sim.start();
  const dir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'magma-live-'));
  const { config } = loadConfig({
    env: {},
    flags: {
      dataDir: dir, dryRun: false, 'api.url': urls.api, 'rpc.url': urls.rpc, strategies: [{ path: GOOD_STRATEGY }] as never,
      // Within the call unless a test asks for the driver beside the tick (it runs on the same manual clock).
      'risk.maxStakeSol': 0.5, 'risk.maxDailySol': 2, 'backing.background': false, ...(o.flags ?? {}),
    } as never,
  });
  const { logger, logs } = capturingLogger();
  const agent = await createAgent({ config, logger, apiKeyOverride: null, clock, createWalletIfMissing: true });
  const control = urls.control;
  return {
    sim, clock, agent, logs,
    async ledger() {
      const r = await request(`${control}/ledger`);
      return (await r.body.json()) as Ledger;
    },
    async fault(body) {
      const r = await request(`${control}/faults`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      if (r.statusCode !== 200) throw new Error(`fault refused: ${await r.body.text()}`);
      await r.body.dump();
    },
    rows: () => agent.store.db.prepare('SELECT * FROM backings ORDER BY id').all() as Array<Record<string, unknown>>,
    async close() {
      await agent.close();
      if (!o.sim) await sim.stop();
    },
  };
}

/** Every backing transfer of `wallet` in the ledger must be one journal row's signature, once; returns the rows' view. */
export function matchLedger(ledger: Ledger, wallet: string, rows: Array<Record<string, unknown>>) {
  const transfers = ledger.transfers.filter((t) => t.kind === 'backing' && t.wallet === wallet);
  const reports = ledger.reports.filter((r) => r.wallet === wallet);
  return { transfers, reports, rows };
}
