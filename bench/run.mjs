// `npm run bench`: throughput figures as JSON, measured in one run on this machine. Compare ratios within a run,
// not absolute numbers across machines (these machines are noisy).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent } from '../dist/src/app/agent.js';
import { ManualClock } from '../dist/src/clock/manual-clock.js';
import { loadConfig } from '../dist/src/config/load.js';
import { silentLogger } from '../dist/src/log/logger.js';
import { Simulator } from '../dist/src/sim/simulator.js';
import { startTimeForSeed, World } from '../dist/src/sim/world/world.js';
import { SqliteStore } from '../dist/src/store/sqlite-store.js';

const results = {};
const dir = mkdtempSync(join(tmpdir(), 'magma-bench-'));

// 1. The simulator's world: simulated days per real second.
{
  const start = startTimeForSeed(1);
  const world = new World({ seed: 1, startMs: start });
  const t0 = performance.now();
  world.advanceTo(start + 7 * 86_400_000);
  const seconds = (performance.now() - t0) / 1000;
  results.world = { simulatedDays: 7, seconds: +seconds.toFixed(3), simulatedDaysPerSecond: +(7 / seconds).toFixed(1), narratives: world.narratives().length };
}

// 2. The store: a 50-item poll where every narrative changed vs none changed.
{
  const store = SqliteStore.open(join(dir, 'store.db'));
  const items = (version) => Array.from({ length: 50 }, (_, i) => ({
    narrative: { id: `n${i}`, title: 't', thesis: 't', category: 'MARKET', oracleStatus: 'live', totalBackedLamports: BigInt(version), backerCount: version, challengeCount: 0, createdAt: '' },
    raw: { id: `n${i}` },
  }));
  const polls = 200;
  let t0 = performance.now();
  for (let i = 0; i < polls; i++) store.recordFeed(store.beginTick(new Date(i * 1000).toISOString()), new Date(i * 1000).toISOString(), items(i));
  const changedMs = (performance.now() - t0) / polls;
  t0 = performance.now();
  for (let i = 0; i < polls; i++) store.recordFeed(store.beginTick(new Date(1e9 + i).toISOString()), new Date(1e9 + i).toISOString(), items(polls - 1));
  const unchangedMs = (performance.now() - t0) / polls;
  store.close();
  results.store = { pollItems: 50, msPerPollAllChanged: +changedMs.toFixed(3), msPerPollNoneChanged: +unchangedMs.toFixed(3), ratioChangedToUnchanged: +(changedMs / unchangedMs).toFixed(2) };
}

// 3. A whole engine tick against the in-process simulator over loopback HTTP.
{
  const clock = new ManualClock(startTimeForSeed(2));
  const sim = new Simulator({ seed: 2, clock });
  const urls = await sim.start();
  const { config } = loadConfig({ env: {}, flags: { dataDir: join(dir, 'agent'), dryRun: true, 'api.url': urls.api, 'rpc.url': urls.rpc, 'prices.source': 'sim', 'prices.url': urls.api } });
  const agent = await createAgent({ config, logger: silentLogger(), apiKeyOverride: null, clock, createWalletIfMissing: true });
  const ticks = 40;
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  for (let i = 0; i < ticks; i++) {
    await agent.engine.tick();
    clock.advance(60_000);
  }
  const ms = (performance.now() - t0) / ticks;
  results.tick = { ticks, msPerTick: +ms.toFixed(2), rssGrowthMiB: +((process.memoryUsage().rss - rss0) / 2 ** 20).toFixed(1) };
  await agent.close();
  await sim.stop();
}

// 4. A backtest over two generated days of recording (10-minute polls): polls replayed per second.
{
  const { execFileSync } = await import('node:child_process');
  const rec = join(dir, 'day.jsonl');
  execFileSync(process.execPath, [new URL('../dist/cli.js', import.meta.url).pathname, 'sim', '--seed', '9', '--record', rec, '--duration', '2d', '--record-interval', '10m'], { stdio: 'ignore' });
  const { runBacktest } = await import('../dist/src/backtest/run-backtest.js');
  const { config } = loadConfig({ env: {} });
  const t0 = performance.now();
  const r = await runBacktest({ config, recording: rec, bankrollSol: 20, logger: silentLogger() });
  const seconds = (performance.now() - t0) / 1000;
  results.backtest = { polls: r.recording.polls, seconds: +seconds.toFixed(2), pollsPerSecond: +(r.recording.polls / seconds).toFixed(1) };
  r.close();
}

rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ node: process.version, ...results }, null, 2) + '\n');
