// `npm run bench`: the performance figures of issue 10 as one JSON object, each with its target and `pass`, measured
// in one run on this machine (compare ratios within a run, not absolute times across machines: these are noisy).
// bench/README.md says how each figure is measured. Options: --skip-live, --skip-backtest, --skip-forecasts, --ticks N,
// --days N, --forecast-seeds 11,23,42.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { DAEMON_ENV, DAEMON_FLAGS } from './daemon-start.mjs';

const require = createRequire(import.meta.url);

const here = fileURLToPath(new URL('.', import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const DAYS = arg('--days', 30);
const TICKS = arg('--ticks', 10_000);
const SEED = 7;
/** The V8 flags the daemon is started with: those of ExecStart in docs/magma-agent.service, read from it. */
const dir = mkdtempSync(join(tmpdir(), 'magma-bench-'));
const figures = {};
const log = (line) => process.stderr.write(`bench: ${line}\n`);
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const child = (script, ...a) => JSON.parse(execFileSync(process.execPath, [join(here, script), ...a], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop());
const generate = (name, duration, extra = []) => {
  const rec = join(dir, `${name}.jsonl`);
  const out = join(dir, `${name}-outcomes.jsonl`);
  execFileSync(process.execPath, [cli, 'sim', '--seed', String(SEED), '--record', rec, '--outcomes', out, '--duration', duration, ...extra], { stdio: 'ignore' });
  return { rec, out, bytes: statSync(rec).size };
};

try {
  if (!args.includes('--skip-backtest')) {
    // 1. Backtest of a long recording at 1 poll/min against the one-core read-and-parse floor of the same file.
    log(`generating a ${DAYS}-day recording (seed ${SEED}, 1 poll/min)`);
    const long = generate('long', `${DAYS}d`);
    // Each side is the fastest of a few runs, in turn (a single reading of the floor moved 2.1-2.9 s on this machine).
    const floors = [];
    const fulls = [];
    for (let i = 0; i < 2; i++) {
      floors.push(child('floor-child.mjs', long.rec));
      log(`floor: ${round(floors.at(-1).ms / 1000)} s; backtesting`);
      fulls.push(child('backtest-child.mjs', long.rec, long.out));
      log(`backtest: ${round(fulls.at(-1).ms / 1000)} s`);
    }
    floors.push(child('floor-child.mjs', long.rec));
    const floor = floors.reduce((a, b) => (b.ms < a.ms ? b : a));
    const full = fulls.reduce((a, b) => (b.ms < a.ms ? b : a));
    if (fulls.some((f) => f.fingerprint !== full.fingerprint)) throw new Error('two backtests of one recording made different decisions');
    figures.backtest = {
      days: DAYS, recordingMiB: round(long.bytes / 2 ** 20, 0), polls: full.polls, decisions: full.decisions,
      floorSeconds: round(floor.ms / 1000), backtestSeconds: round(full.ms / 1000),
      floorRuns: floors.map((f) => round(f.ms / 1000)), backtestRuns: fulls.map((f) => round(f.ms / 1000)), fingerprint: full.fingerprint.slice(0, 16),
      ratioToFloor: round(full.ms / floor.ms), target: 3, pass: full.ms / floor.ms <= 3,
      peakRssMiB: round(Math.max(...fulls.map((f) => f.maxRssMiB)), 0), rssTargetMiB: 400, rssPass: fulls.every((f) => f.maxRssMiB <= 400),
    };
    // 2. Cost per poll at 1 day against the cost per poll over the whole recording.
    log('backtesting the first day alone');
    const day = generate('day', '1d');
    const one = child('backtest-child.mjs', day.rec, day.out);
    const perPollDay = one.ms / one.polls;
    const perPollLong = full.ms / full.polls;
    figures.costPerPoll = {
      msPerPoll1d: round(perPollDay, 3), [`msPerPoll${DAYS}d`]: round(perPollLong, 3),
      ratio: round(perPollLong / perPollDay), target: 1.25, pass: perPollLong / perPollDay <= 1.25,
    };
    // 3. Ten times the narratives per poll (a busier feed): the day's recording with each narrative ten times over
    // (nine copies under other UUIDs), to show how cost grows with the feed.
    log('backtesting the day with 10x the narratives per poll');
    const busy = { rec: join(dir, 'busy.jsonl'), out: day.out };
    tenfold(day.rec, busy.rec);
    const ten = child('backtest-child.mjs', busy.rec, busy.out);
    const busyFloor = child('floor-child.mjs', busy.rec);
    figures.busyFeed = {
      decisionsPerPoll: round(ten.decisions / ten.polls, 1), baselineDecisionsPerPoll: round(one.decisions / one.polls, 1),
      msPerPoll: round(ten.ms / ten.polls, 3), usPerNarrative: round((ten.ms * 1000) / ten.decisions, 1),
      baselineUsPerNarrative: round((one.ms * 1000) / one.decisions, 1), ratioToFloor: round(ten.ms / busyFloor.ms),
    };
    rmSync(long.rec);
  }

  if (!args.includes('--skip-forecasts')) {
    // 0. Forecasts against the truth (issue 17): 7-day recordings of seeds the tests do not tune on, one poll every
    // 5 minutes, each backtested with its Bayes-optimal probabilities (sim --truth). Targets: the ensemble's
    // bayesRatio ≤ 1.15 on price narratives and ≤ 1.3 overall, and its Brier on each member's own forecasts no worse
    // than that member's.
    const i = args.indexOf('--forecast-seeds');
    const seeds = (i >= 0 ? args[i + 1] : '11,23,42').split(',').map(Number);
    const perSeed = {};
    for (const seed of seeds) {
      log(`forecasts: seed ${seed}, 7 days`);
      const r = child('truth-child.mjs', String(seed), dir, '7d', '5m');
      const e = r.truth.overall.ensemble;
      const ep = r.truth.price.ensemble;
      const members = Object.entries(r.truth.overall).filter(([name]) => name !== 'ensemble');
      const vsMembers = Object.fromEntries(members.map(([name, s]) => [name, { brier: round(s.brier, 4), ensembleBrierOnSame: round(s.ensembleBrier, 4), bayesRatio: round(s.bayesRatio, 3) }]));
      perSeed[seed] = {
        ensembleBayesRatio: round(e.bayesRatio, 3), ensembleBayesRatioPrice: round(ep.bayesRatio, 3), ensembleBrier: round(e.brier, 4), ensembleLogLoss: round(e.logLoss, 4),
        members: vsMembers, backtestSeconds: round(r.ms / 1000, 1),
        pricePass: ep.bayesRatio <= 1.15, overallPass: e.bayesRatio <= 1.3,
        notWorseThanMembersPass: members.every(([, s]) => s.ensembleBrier <= s.brier),
      };
    }
    const all = Object.values(perSeed);
    figures.forecasts = {
      seeds, days: 7, pollMinutes: 5, targets: { priceBayesRatio: 1.15, overallBayesRatio: 1.3, ensembleVsBestMember: 'ensemble Brier ≤ member Brier on the member\'s own forecasts' },
      perSeed,
      pricePass: all.every((x) => x.pricePass), overallPass: all.every((x) => x.overallPass), notWorseThanMembersPass: all.every((x) => x.notWorseThanMembersPass),
    };
  }

  if (!args.includes('--skip-live')) {
    // 4. The live daemon (dry-run) against the simulator in another process: CPU per tick, database growth, RSS.
    log(`live: ${TICKS} ticks at 1 poll per simulated minute`);
    // In a process of its own, started with the V8 flags and allocator settings docs/magma-agent.service starts the
    // daemon with (both are fixed at start-up), so that its RSS is the daemon's and nothing of this one's.
    figures.live = JSON.parse(execFileSync(process.execPath, ['--expose-gc', ...DAEMON_FLAGS, join(here, 'live-child.mjs'), dir, String(TICKS)], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20, env: { ...process.env, ...DAEMON_ENV },
    }).trim().split('\n').pop());
  }

  // 5. What isolating a plug-in in its worker thread costs per tick (50 narratives, one message per tick).
  {
    const out = execFileSync(process.execPath, [join(here, '..', 'scripts', 'bench-plugin-isolation.mjs')], { encoding: 'utf8' });
    const ms = (label) => Number(new RegExp(`^${label}\\s+([\\d.]+) ms per tick of 50$`, 'm').exec(out)?.[1]);
    const inProcess = ms('in-process');
    const worker = ms('worker');
    figures.pluginIsolation = { narratives: 50, inProcessMsPerTick: round(inProcess, 3), workerMsPerTick: round(worker, 3), extraMsPerTick: round(worker - inProcess, 3) };
  }

  // 6. The journal's write rate with the durability used for money (WAL, synchronous=FULL, one transaction a write).
  figures.journal = await journal();
} finally {
  if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  else log(`kept ${dir}`);
}

const pass = Object.values(figures).every((f) => Object.entries(f).every(([k, v]) => !/pass$/i.test(k) || v === true));
process.stdout.write(JSON.stringify({ node: process.version, cores: (await import('node:os')).cpus().length, pass, ...figures }, null, 2) + '\n');

/** Writes `from` with every poll's narratives ten times over (copies under other UUIDs: the first hex digit shifted). */
function tenfold(from, to) {
  const { readFileSync, writeFileSync } = require('node:fs');
  const lines = readFileSync(from, 'utf8').split('\n').filter(Boolean).map((line) => {
    const v = JSON.parse(line);
    if (!Array.isArray(v.narratives)) return line;
    v.narratives = v.narratives.flatMap((n) => Array.from({ length: 10 }, (_, k) => (k === 0 ? n : { ...n, id: ((parseInt(n.id[0], 16) + k) % 16).toString(16) + n.id.slice(1) })));
    return JSON.stringify(v);
  });
  writeFileSync(to, lines.join('\n') + '\n');
}

async function journal() {
  const { SqliteStore } = await import('../dist/src/store/sqlite-store.js');
  const { SqliteJournal } = await import('../dist/src/store/sqlite-journal.js');
  const store = SqliteStore.open(join(dir, 'journal.db'), { ledger: 'dry-run' });
  const j = new SqliteJournal(store);
  const tick = store.beginTick(new Date(0).toISOString());
  const n = 2_000;
  const ids = [];
  for (let i = 0; i < n; i++) ids.push(store.recordDecision(tick, { narrativeId: `n${i}`, action: 'back', stakeLamports: 1_000_000n, pTrue: 0.9, confidence: 0.5, edge: 0.05, expectedValue: 0.01, reasons: [] }, new Date(0).toISOString()));
  const at = { now: new Date(0).toISOString(), dayStart: new Date(0).toISOString(), since: new Date(0).toISOString() };
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const row = j.openBacking({ intentKey: `k${i}`, decisionId: ids[i], narrativeId: `n${i}`, category: 'MARKET', stakeLamports: 1_000_000n, dryRun: true, wallet: null }, at, () => null);
    j.transition(row, 'simulated', at.now);
  }
  const seconds = (performance.now() - t0) / 1000;
  store.close();
  const perSecond = (2 * n) / seconds;
  // What the disk allows: a durable write needs one fsync, so this is the ceiling of any durable journal here.
  const { openSync, writeSync, fsyncSync, closeSync } = await import('node:fs');
  const fd = openSync(join(dir, 'fsync.bin'), 'w');
  const block = Buffer.alloc(4096);
  const f0 = performance.now();
  for (let i = 0; i < 200; i++) {
    writeSync(fd, block);
    fsyncSync(fd);
  }
  const fsyncsPerSecond = 200 / ((performance.now() - f0) / 1000);
  closeSync(fd);
  return {
    writes: 2 * n, synchronous: 'FULL', journalMode: 'WAL', writesPerSecond: round(perSecond, 0), target: 2_000, pass: perSecond >= 2_000,
    diskFsyncsPerSecond: round(fsyncsPerSecond, 0), writesPerFsync: round(perSecond / fsyncsPerSecond),
  };
}
