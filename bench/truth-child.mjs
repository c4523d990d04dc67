// Forecasts against the truth (issue 17) in a process of its own: generates a recording of one seed with its truth
// file, backtests it with the default strategies and prints {seed, truth, lead} as one JSON line.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBacktest } from '../dist/src/backtest/run-backtest.js';
import { loadConfig } from '../dist/src/config/load.js';
import { silentLogger } from '../dist/src/log/logger.js';

const [seed, dir, duration, interval] = process.argv.slice(2);
const cli = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'dist', 'cli.js');
const file = (name) => join(dir, `truth-${seed}-${name}.jsonl`);
execFileSync(process.execPath, [cli, 'sim', '--seed', seed, '--record', file('rec'), '--outcomes', file('out'), '--truth', file('truth'), '--duration', duration, '--record-interval', interval], { stdio: 'ignore' });
const { config } = loadConfig({ env: {} });
const t0 = performance.now();
const r = await runBacktest({ config, recording: file('rec'), outcomes: file('out'), truth: file('truth'), bankrollSol: 20, logger: silentLogger() });
process.stdout.write(JSON.stringify({ seed: Number(seed), ms: performance.now() - t0, polls: r.recording.polls, truth: r.truth, weights: r.ensembleWeights }) + '\n');
