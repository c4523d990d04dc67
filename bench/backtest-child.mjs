// A backtest in a process of its own (so its peak RSS is its own), run as `magma-agent backtest` runs one: a job on the
// backtest worker pool (its worker's limits included), logging at the command's default level (error).
// Prints {ms, polls, maxRssMiB, fingerprint}.
import { runJobs } from '../dist/src/backtest/backtest-pool.js';
import { loadConfig } from '../dist/src/config/load.js';

const [recording, outcomes] = process.argv.slice(2);
const { config } = loadConfig({ env: {} });
config.log.level = 'error';
const t0 = performance.now();
const results = await runJobs([{ id: 0, config, secrets: [], recording, ...(outcomes ? { outcomes } : {}), bankrollSol: 20, fromMs: 0, toMs: 1 }], { workers: 1 });
const ms = performance.now() - t0;
const r = results.get(0);
process.stdout.write(JSON.stringify({
  ms, polls: r.recording.polls, narrativesSeen: r.summary.narratives, decisions: r.summary.decisions.back + r.summary.decisions.skip,
  maxRssMiB: process.resourceUsage().maxRSS / 1024, fingerprint: r.fingerprint.sha256,
}) + '\n');
