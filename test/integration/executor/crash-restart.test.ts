// Crash tests: the built daemon (`run --once`, a child process) is SIGKILLed right after each journal state is
// committed, right after an answer arrives but before it is journaled, and at seeded random moments; the simulator
// lives on in this process, with the faults of real RPCs switched on (issue 11): statuses from a node 40 blocks
// behind, no transaction history beyond 3,000 slots (the agent trusts 300), an RPC outage starting when a transfer
// lands, preflight refusals for one narrative, and a landed transaction dropped with its minority fork. After every kill: PRAGMA integrity_check is ok, every backing
// transfer on the ledger is a signature the journal held before it left, and no intent has a second transfer. After
// a clean restart at the end of each chain of kills, still under the faults, the same. Then, with a full-history
// node, one more clean run per chain: every transfer is confirmed, journaled as reported and reported exactly once;
// an intent left in flight is one nothing can prove expired, and none of its attempts moved money.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter, TIER_LIMITS } from '../../../src/sim/rate-limiter.js';
import { applyFaults } from '../../../src/sim/routes/control.js';
import { Simulator } from '../../../src/sim/simulator.js';
import { generateKeypairFile } from '../../../src/wallet/keypair.js';
import { ROOT, runCli } from '../../helpers/cli.js';
import { GOOD_STRATEGY, type Ledger } from '../../helpers/live-sim.js';

const STATE_POINTS = [
  'backing:intent', 'backing:signed', 'backing:send-answered', 'backing:sent', 'backing:confirmed', 'backing:report-answered', 'backing:reported',
];
const STATE_CHAINS = 5; // 5 × 7 = 35 kills at named points
const RANDOM_CHAINS = 6;
const RANDOM_KILLS_PER_CHAIN = 3; // + 18 (or more) at random moments, each chain on a fresh wallet
const MIN_KILLS = 50;

interface Figures {
  kills: number;
  /** Intents nothing could prove expired (no canary, past the status window): left in flight, operator told. */
  unprovable: number;
  byPoint: Record<string, number>;
  /** The journal state of the newest row when a random kill hit. */
  randomAtState: Record<string, number>;
  runs: number;
  transfers: number;
  reported: number;
  resigned: number;
}

const figures: Figures = { kills: 0, unprovable: 0, byPoint: {}, randomAtState: {}, runs: 0, transfers: 0, reported: 0, resigned: 0 };
const sim = new Simulator({ seed: 5, speed: 20 });
let control = '';
let envBase: Record<string, string> = {};

async function ledger(): Promise<Ledger> {
  const r = await request(`${control}/ledger`);
  return (await r.body.json()) as Ledger;
}

interface Chain {
  dir: string;
  env: Record<string, string>;
  wallet: string;
}

const RESOLUTION_POINTS = ['resolution:intent', 'resolution:submitted', 'resolution:answered'];
const VERDICT_STRATEGY = join(ROOT, 'test', 'fixtures', 'strategies', 'verdict.mjs');

let agentSeq = 0;
function newChain(kind: 'backing' | 'resolution' | 'random' = 'backing'): Chain & { agentId: string } {
  const dir = mkdtempSync(join(tmpdir(), 'magma-crash-exec-'));
  const keypair = generateKeypairFile(join(dir, 'wallet.json'));
  const wallet = keypair.publicKey.toBase58();
  const apiKey = `mk_crash_${process.pid}_${++agentSeq}_${'x'.repeat(24)}`;
  sim.restoreAgent({ id: `ag_crash${agentSeq}`, apiKey, name: `crash-${agentSeq}`, description: null, walletAddress: wallet, createdAt: new Date(0).toISOString() });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    strategies: [{ path: kind === 'resolution' ? VERDICT_STRATEGY : GOOD_STRATEGY }],
    resolution: { enabled: kind === 'resolution', minConfidence: 0.8, allowOwnPositions: false },
    risk: { maxStakeSol: 0.01, maxDailySol: 10, maxExposureSol: 10, maxOpenPositions: 12 },
    api: { rateLimits: { backing: { limit: 600, windowSeconds: 60 } } },
    // Random chains poll slower so that a random moment often falls while a transaction is in flight.
    backing: kind === 'random' ? { pollMs: 150, resendMs: 300, confirmTimeoutSeconds: 20 } : { pollMs: 20, resendMs: 60, confirmTimeoutSeconds: 20 },
  }));
  return { dir, wallet, agentId: `ag_crash${agentSeq}`, env: { ...envBase, MAGMA_KEYPAIR: join(dir, 'wallet.json'), MAGMA_API_KEY: apiKey, MAGMA_DATA_DIR: join(dir, 'data') } };
}

/** The faults of real RPCs, on for every chain of kills (a fault the last run used up is armed again). */
let refusedNarrative = '';
function armFaults(): void {
  if (!faultsOn) return;
  // The node forgets statuses after 3,000 slots: far more than the agent trusts (backing.statusWindowSlots 300), so
  // its caution is exercised at every slow restart, yet a landed transfer outlives a restart of the daemon (which
  // runs on the wall clock while the simulator runs 20× faster) on a loaded machine.
  applyFaults(sim.state, { statusLagBlocks: 40, statusHistorySlots: 3_000, rpcOutageOnLand: 25, refuseNarratives: [refusedNarrative], forkDrop: 1 });
}
let faultsOn = true;
function endRpcOutage(): void {
  sim.state.faults.bursts = sim.state.faults.bursts.filter((b) => !(b.family === 'rpc' && b.kind === 'error'));
}
const finished: Chain[] = [];

async function run(chain: Chain, crashAt: string | null) {
  figures.runs++;
  armFaults();
  return runCli(['run', '--once', '--config', join(chain.dir, 'config.json'), '--log-format', 'json'], {
    ...chain.env, ...(crashAt ? { MAGMA_CRASH_AT: crashAt } : {}),
  }, 60_000);
}

function openDb(chain: Chain): Database.Database {
  return new Database(join(chain.dir, 'data', 'magma.db'));
}

/** The invariants that must hold after any kill. Returns the newest row's state. */
async function checkAfterKill(chain: Chain): Promise<string | null> {
  // issue 12: start-up now loads plug-ins in a probe worker before the store opens, so a random kill can come before
  // the database exists: nothing was recorded, and then nothing may have moved either.
  if (!existsSync(join(chain.dir, 'data', 'magma.db'))) {
    expect((await ledger()).transfers.filter((t) => t.kind === 'backing' && t.wallet === chain.wallet)).toEqual([]);
    return null;
  }
  const db = openDb(chain);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    // Killed during start-up, before the migrations ran (each is one transaction): nothing can have been journaled,
    // so nothing may have moved.
    if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'backing_attempts'`).get()) {
      expect((await ledger()).transfers.filter((t) => t.kind === 'backing' && t.wallet === chain.wallet)).toEqual([]);
      return null;
    }
    const attempts = new Map((db.prepare('SELECT signature, backing_id FROM backing_attempts').all() as Array<{ signature: string; backing_id: number }>).map((a) => [a.signature, a.backing_id]));
    const transfers = (await ledger()).transfers.filter((t) => t.kind === 'backing' && t.wallet === chain.wallet);
    const perIntent = new Map<number, number>();
    for (const t of transfers) {
      const id = attempts.get(t.signature);
      expect(id, `transfer ${t.signature} was never journaled before it left`).toBeDefined();
      perIntent.set(id!, (perIntent.get(id!) ?? 0) + 1);
    }
    for (const [id, n] of perIntent) expect(n, `intent ${id} has ${n} transfers`).toBe(1);
    // The newest intent that was not refused up front: where in its life the kill found it.
    const newest = db.prepare(`SELECT state FROM backings WHERE error IS NULL OR state <> 'cancelled' ORDER BY id DESC LIMIT 1`).pluck().get() as string | undefined;
    return newest ?? null;
  } finally {
    db.close();
  }
}

/**
 * After the clean run with a full-history node: everything settled, every transfer reported exactly once and journaled
 * as such; what is still in flight is an intent nothing could prove expired, none of whose attempts moved money.
 */
async function checkFinal(chain: Chain): Promise<void> {
  const db = openDb(chain);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = db.prepare('SELECT id, state, signature, narrative_id, stake_lamports, sign_count, error FROM backings').all() as Array<{ id: number; state: string; signature: string | null; narrative_id: string; stake_lamports: number; sign_count: number; error: string | null }>;
    const l = await ledger();
    const inFlight = rows.filter((r) => !['reported', 'expired', 'failed', 'cancelled'].includes(r.state));
    for (const r of inFlight) {
      expect(r.error ?? '', `row ${r.id} left ${r.state}`).toMatch(/^cannot prove this transaction expired/);
      const sigs = db.prepare('SELECT signature FROM backing_attempts WHERE backing_id = ?').pluck().all(r.id) as string[];
      expect(l.transfers.filter((t) => sigs.includes(t.signature) && t.kind === 'backing'), `row ${r.id} moved money and was not reported`).toEqual([]);
      // Signed once, or again after a proven expiry; its latest attempt is the one no answer could prove expired.
      expect(r.sign_count).toBeGreaterThanOrEqual(1);
      figures.unprovable++;
    }
    const transfers = l.transfers.filter((t) => t.kind === 'backing' && t.wallet === chain.wallet);
    const reports = l.reports.filter((r) => r.wallet === chain.wallet);
    const reported = rows.filter((r) => r.state === 'reported');
    expect(transfers.map((t) => t.signature).sort()).toEqual(reported.map((r) => r.signature).sort());
    for (const t of transfers) {
      expect(t.state === 'confirmed' || t.state === 'finalized').toBe(true);
      expect(reports.filter((r) => r.signature === t.signature)).toHaveLength(1);
      const row = reported.find((r) => r.signature === t.signature)!;
      expect(t.narrative_id).toBe(row.narrative_id);
      expect(String(t.lamports)).toBe(String(row.stake_lamports));
    }
    expect(reports).toHaveLength(transfers.length);
    figures.transfers += transfers.length;
    figures.reported += reports.length;
    figures.resigned += rows.filter((r) => r.sign_count > 1).length;
  } finally {
    db.close();
  }
}

async function stateChain(): Promise<void> {
  const chain = newChain();
  for (const point of STATE_POINTS) {
    let r = await run(chain, point);
    // The simulator is shared: an outage another chain's landing started can keep a run from reaching the point
    // (nothing backed while the balance is unknown). Such a run must still finish cleanly; the point is tried again.
    // The outage is counted in RPC requests, and a run that backs nothing makes few: end it before trying again.
    for (let again = 0; r.signal !== 'SIGKILL' && again < 5; again++) {
      expect(r.code, r.stderr).toBe(0);
      await checkAfterKill(chain);
      endRpcOutage();
      r = await run(chain, point);
    }
    expect(r.signal, `expected a kill at ${point}; exit ${r.code}\n${r.stdout.slice(-2000)}\n${r.stderr}`).toBe('SIGKILL');
    figures.kills++;
    figures.byPoint[point] = (figures.byPoint[point] ?? 0) + 1;
    await checkAfterKill(chain);
  }
  const clean = await run(chain, null);
  expect(clean.code, clean.stderr).toBe(0);
  await checkAfterKill(chain);
  finished.push(chain);
}

async function randomChain(seed: number): Promise<void> {
  const chain = newChain('random');
  let kills = 0;
  for (let i = 0; kills < RANDOM_KILLS_PER_CHAIN && i < RANDOM_KILLS_PER_CHAIN * 3; i++) {
    const r = await run(chain, `random:${seed * 100 + i}:2500`);
    if (r.signal === 'SIGKILL') {
      kills++;
      figures.kills++;
      figures.byPoint.random = (figures.byPoint.random ?? 0) + 1;
      const state = (await checkAfterKill(chain)) ?? 'before any intent';
      figures.randomAtState[state] = (figures.randomAtState[state] ?? 0) + 1;
    } else {
      expect(r.code, r.stderr).toBe(0);
      await checkAfterKill(chain);
    }
  }
  const clean = await run(chain, null);
  expect(clean.code, clean.stderr).toBe(0);
  await checkAfterKill(chain);
  finished.push(chain);
}

/** Verdicts: killed after the intent, after `submitted` is journaled, and after MAGMA answered; never sent twice. */
async function resolutionChain(): Promise<void> {
  const chain = newChain('resolution');
  const check = () => {
    const db = openDb(chain);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const journaled = new Set(db.prepare('SELECT narrative_id FROM resolutions').pluck().all() as string[]);
      const sent = sim.state.resolutions.filter((r) => r.agentId === chain.agentId).map((r) => r.narrativeId);
      expect(new Set(sent).size).toBe(sent.length);
      for (const n of sent) expect(journaled.has(n), `verdict on ${n} sent without a journal row`).toBe(true);
      return db.prepare('SELECT state, error FROM resolutions').all() as Array<{ state: string; error: string | null }>;
    } finally {
      db.close();
    }
  };
  for (const point of RESOLUTION_POINTS) {
    const r = await run(chain, point);
    expect(r.signal, `expected a kill at ${point}; exit ${r.code}\n${r.stderr}`).toBe('SIGKILL');
    figures.kills++;
    figures.byPoint[point] = (figures.byPoint[point] ?? 0) + 1;
    check();
  }
  const clean = await run(chain, null);
  expect(clean.code, clean.stderr).toBe(0);
  const rows = check();
  // A verdict whose answer was lost in the kill is sent again; MAGMA then says the narrative is resolved (404).
  expect(rows.some((r) => r.state === 'rejected' && /may have been accepted then/.test(r.error ?? ''))).toBe(true);
  expect(rows.filter((r) => r.state === 'accepted').length).toBeGreaterThan(0);
}

describe('crash tests: SIGKILL during backing, then restart', () => {
  beforeAll(async () => {
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
    // The daemon runs on the wall clock and the simulator 20× faster, so the simulator's per-wallet report limit
    // (10 per simulated minute) would make the daemon's own budget queue every report for seconds. Crash safety is
    // what is tested here (rate limits have their own tests): give reports room.
    const perMinute = TIER_LIMITS.free;
    sim.state.limiter = new RateLimiter({
      feed: { limit: perMinute, windowMs: 60_000 }, agent: { limit: perMinute, windowMs: 60_000 }, resolve: { limit: perMinute, windowMs: 60_000 },
      public: { limit: 100_000, windowMs: 60_000 }, backing: { limit: 1_000, windowMs: 60_000 }, register: { limit: 5, windowMs: 3_600_000 },
    }, () => sim.clock.now());
    const urls = await sim.start();
    refusedNarrative = sim.state.world.feed(50).find((n) => n.status === 'open' || n.status === 'live')!.id;
    control = urls.control;
    envBase = { MAGMA_API_URL: urls.api, MAGMA_RPC_URL: urls.rpc, MAGMA_LOG_LEVEL: 'info' };
  }, 60_000);

  afterAll(async () => {
    await sim.stop();
    // The figures the issue asks for, in the test output.
    console.log(`crash figures: ${JSON.stringify(figures)}`);
  });

  it(`kills the daemon at every journal state and at random moments (≥ ${MIN_KILLS} kills): no second transfer, every transfer reported once, integrity ok`, async () => {
    const jobs: Array<() => Promise<void>> = [
      ...Array.from({ length: STATE_CHAINS }, () => stateChain),
      ...Array.from({ length: RANDOM_CHAINS }, (_, i) => () => randomChain(i + 1)),
      resolutionChain,
    ];
    // Two chains at a time (one per core), each on its own wallet and data directory.
    const worker = async () => {
      for (let job = jobs.shift(); job; job = jobs.shift()) await job();
    };
    await Promise.all([worker(), worker()]);
    // A random moment can fall after a run has finished (a busy machine changes the timing): top up, bounded.
    for (let extra = 0; figures.kills < MIN_KILLS && extra < 5; extra++) await randomChain(RANDOM_CHAINS + 1 + extra);
    // A node with full history: one clean run per chain settles whatever can be proven now.
    faultsOn = false;
    applyFaults(sim.state, { reset: true });
    for (const chain of finished) {
      const clean = await run(chain, null);
      expect(clean.code, clean.stderr).toBe(0);
      await checkFinal(chain);
    }
    expect(figures.kills).toBeGreaterThanOrEqual(MIN_KILLS);
    for (const p of STATE_POINTS) expect(figures.byPoint[p]).toBe(STATE_CHAINS);
    expect(figures.transfers).toBeGreaterThan(0);
    expect(figures.reported).toBe(figures.transfers);
  }, 600_000);
});
