// A backtest in a process of its own (so its peak RSS is its own): prints {ms, polls, maxRssMiB, fingerprint}.
import { runBacktest } from '../dist/src/backtest/run-backtest.js';
import { loadConfig } from '../dist/src/config/load.js';
import { silentLogger } from '../dist/src/log/logger.js';

const [recording, outcomes] = process.argv.slice(2);
const { config } = loadConfig({ env: {} });
const t0 = performance.now();
const r = await runBacktest({ config, recording, ...(outcomes ? { outcomes } : {}), bankrollSol: 20, logger: silentLogger() });
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({
  ms, polls: r.recording.polls, narrativesSeen: r.summary.narratives, decisions: r.summary.decisions.back + r.summary.decisions.skip,
  maxRssMiB: process.resourceUsage().maxRSS / 1024, fingerprint: r.fingerprint.sha256,
}) + '\n');
