// The live section of `npm run bench` in a process of its own (its RSS is the daemon's): the agent in dry-run against
// the simulator in another process (sim-child.mjs) on a manual clock advanced one simulated minute per tick.
// Usage: node --expose-gc --max-semi-space-size=4 bench/live-child.mjs DIR TICKS   (prints one JSON line)
import { fork } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const [dir, ticksArg] = process.argv.slice(2);
const log = (line) => process.stderr.write(`bench: ${line}\n`);
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function live(ticks) {
  const { createAgent } = await import('../dist/src/app/agent.js');
  const { ManualClock } = await import('../dist/src/clock/manual-clock.js');
  const { loadConfig } = await import('../dist/src/config/load.js');
  const { silentLogger } = await import('../dist/src/log/logger.js');
  const sim = fork(join(here, 'sim-child.mjs'), ['2'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const reply = () => new Promise((resolve) => sim.once('message', resolve));
  const { urls, now } = await reply();
  const clock = new ManualClock(now);
  const dataDir = join(dir, 'agent');
  const { config } = loadConfig({ env: {}, flags: { dataDir, dryRun: true, 'api.url': urls.api, 'rpc.url': urls.rpc, 'prices.source': 'sim', 'prices.url': urls.api, 'api.tier': 'enterprise' } });
  const agent = await createAgent({ config, logger: silentLogger(), apiKeyOverride: null, clock, createWalletIfMissing: true });
  const dbSize = () => {
    agent.store.db.pragma('wal_checkpoint(TRUNCATE)');
    return statSync(agent.dbPath).size;
  };
  const rss = () => {
    globalThis.gc?.();
    return process.memoryUsage().rss / 2 ** 20;
  };
  const sample = {};
  let narratives = 0;
  let cpu = 0;
  const advance = async () => {
    sim.send({ advance: 60_000 });
    clock.advance(60_000);
    await reply();
  };
  for (let i = 1; i <= ticks; i++) {
    const before = process.cpuUsage();
    const summary = await agent.engine.tick();
    const used = process.cpuUsage(before);
    if (i > 10) cpu += (used.user + used.system) / 1000; // the first ticks warm up (JIT, caches)
    narratives += summary.feedCount;
    await advance();
    if (i === 1440) sample.day = { db: dbSize() };
    // Resident memory moves by a few MB from one moment to the next (allocator, GC timing): growth is the mean of
    // four samples in the last 1,000 ticks of each half, not the difference of two single readings.
    const half = Math.floor(ticks / 2);
    if (i % 250 === 0 && ((i > half - 1000 && i <= half) || i > ticks - 1000)) {
      const r = rss();
      (i <= half ? (sample.first ??= []) : (sample.second ??= [])).push({ rss: r, heap: process.memoryUsage().heapUsed / 2 ** 20 });
    }
    if (i % 1000 === 0) log(`live: tick ${i}`);
  }
  const end = { db: dbSize(), rss: rss() };
  await agent.close();
  sim.send({ stop: true });
  const mean = (xs, k) => (xs?.length ? xs.reduce((a, x) => a + x[k], 0) / xs.length : null);
  const growth = sample.first && sample.second ? mean(sample.second, 'rss') - mean(sample.first, 'rss') : null;
  const heapGrowth = sample.first && sample.second ? mean(sample.second, 'heap') - mean(sample.first, 'heap') : null;
  const cpuPerTick = cpu / (ticks - 10);
  const days = ticks / 1440;
  // Growth per simulated day: the larger of the first day's and the days after it (steady state). Retention
  // (store.retainDays) prunes what is older, so over 30 days the database grows by retainDays days' worth at most.
  const perDay = Math.max(sample.day ? sample.day.db : end.db / days, sample.day && days > 1.5 ? (end.db - sample.day.db) / (days - 1) : 0);
  const retainDays = config.store.retainDays;
  const growth30 = (Math.min(30, retainDays) * perDay) / 2 ** 20;
  return {
    ticks, narrativesPerTick: round(narratives / ticks, 1), cpuMsPerTick: round(cpuPerTick), cpuTargetMs: 20, cpuPass: cpuPerTick <= 20,
    dbMiBFirstDay: sample.day ? round(sample.day.db / 2 ** 20) : null, dbMiBEnd: round(end.db / 2 ** 20), dbMiBPerDay: round(perDay / 2 ** 20),
    retainDays, dbGrowthMiBPer30Days: round(growth30), dbGrowthMiBPer30DaysKeepingEverything: round((30 * perDay) / 2 ** 20),
    dbTargetMiB: 100, dbPass: growth30 <= 100,
    rssMiB: round(end.rss, 0), rssTargetMiB: 120, rssPass: end.rss <= 120,
    rssGrowthMiBLastHalf: growth === null ? null : round(growth, 1), heapGrowthMiBLastHalf: heapGrowth === null ? null : round(heapGrowth, 1),
    rssGrowthTargetMiB: 5, rssGrowthPass: growth !== null && growth < 5,
  };
}


process.stdout.write(JSON.stringify(await live(Number(ticksArg ?? 10_000))) + '\n');
