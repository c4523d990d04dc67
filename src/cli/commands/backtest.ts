// `magma-agent backtest`: replays a recording through the one engine in dry-run and reports what it would have done.
// Every run (the ensemble, each strategy alone, each point of a sweep and each walk-forward fold, the look-ahead
// check's truncated replay) is a job for the worker pool: runs go side by side on the cores there are.
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { BacktestJob, JobResult } from '../../backtest/backtest-job.js';
import { runJobs } from '../../backtest/backtest-pool.js';
import { recordingSpan, requireFile } from '../../backtest/recording.js';
import { backtestReportHtml } from '../../backtest/report-html.js';
import { parseSweepAxis, summariseSweep, sweepGrid, walkForwardFolds, type Fold, type SweepAxis, type SweepPoint, type SweepSummary } from '../../backtest/sweep.js';
import { hitRateOf, METRIC_INFO, SWEEP_METRICS, type SweepMetric } from '../../backtest/sweep-metric.js';
import { configuredSecrets } from '../../config/load.js';
import { MAX_DURATION_SECONDS } from '../../config/schema.js';
import { MagmaError } from '../../core/errors.js';
import { formatSol, lamportsToSol, MAX_SOL } from '../../core/money.js';
import { BacktestProgress } from '../backtest-progress.js';
import { loadRuntime, type GlobalOptions } from '../runtime.js';
import { onShutdown } from '../shutdown.js';
import { renderTable } from '../table.js';
import { parseNumber } from './sim.js';

interface BacktestOptions extends GlobalOptions {
  recording: string;
  outcomes?: string;
  truth?: string;
  strategies?: string;
  report?: string;
  json?: boolean;
  checkLookahead?: boolean;
  sweep?: string[];
  walkForward?: number;
  metric: string;
  workers?: number;
  progressInterval: number;
  bankroll: number;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Bounds of the number flags: each fold runs the whole grid again, and threads past a thousand are no plan. */
const MAX_WALK_FORWARD_FOLDS = 100;
const MAX_WORKERS = 1_024;

function summaryJson(label: string, r: JobResult) {
  return {
    label,
    stoppedEarly: r.stoppedEarly,
    polls: r.recording.polls,
    badLines: r.recording.badLines,
    outOfOrder: r.recording.outOfOrder,
    droppedItems: r.droppedItems,
    from: r.recording.firstT === null ? null : new Date(r.recording.firstT).toISOString(),
    to: r.recording.lastT === null ? null : new Date(r.recording.lastT).toISOString(),
    strategies: r.strategies,
    failedTicks: r.failedTicks,
    warnings: r.warnings,
    decisions: r.summary.decisions,
    stakedLamports: r.summary.stakedLamports.toString(),
    pnl: { ...r.pnl, pnlLamports: r.pnl.pnlLamports.toString(), openLamports: r.pnl.openLamports.toString() },
    maxDrawdownLamports: r.metrics.maxDrawdownLamports.toString(),
    hitRate: hitRateOf(r.pnl),
    calibration: r.calibration,
    baselines: r.baselines,
    pnlByCategory: r.pnlByCategory.map((c) => ({ ...c, stakedLamports: c.stakedLamports.toString(), pnlLamports: c.pnlLamports.toString() })),
    fingerprint: r.fingerprint,
    ...(r.truth ? { truth: r.truth } : {}),
    ensembleWeights: r.ensembleWeights,
  };
}

/** The scores against the truth as terminal lines: per strategy, overall and on price narratives. */
function truthLines(r: JobResult): string[] {
  const t = r.truth;
  if (!t) return [];
  const f = (x: number | undefined, d = 4) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
  const names = [...new Set([...Object.keys(t.overall), ...Object.keys(t.price)])];
  return [
    '  against the truth (Bayes-optimal forecasts at the same decision times; a ratio of 1 is the best possible):',
    `    ${'strategy'.padEnd(16)} ${'Brier'.padStart(7)} ${'log loss'.padStart(8)} ${'Bayes'.padStart(7)} ${'ratio'.padStart(6)}  │ price: ${'Brier'.padStart(7)} ${'Bayes'.padStart(7)} ${'ratio'.padStart(6)}  │ ensemble's Brier on the same forecasts (all, price)`,
    ...names.map((n) => {
      const o = t.overall[n];
      const p = t.price[n];
      return `    ${n.padEnd(16)} ${f(o?.brier).padStart(7)} ${f(o?.logLoss).padStart(8)} ${f(o?.bayesBrier).padStart(7)} ${f(o?.bayesRatio, 3).padStart(6)}  │        ${f(p?.brier).padStart(7)} ${f(p?.bayesBrier).padStart(7)} ${f(p?.bayesRatio, 3).padStart(6)}  │ ${n === 'ensemble' ? '' : `${f(o?.ensembleBrier ?? undefined)}, ${f(p?.ensembleBrier ?? undefined)}`}`;
    }),
  ];
}

/** Figures as plain JSON (lamports as strings). */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));

function runBlock(label: string, r: JobResult): string {
  return [
    r.recording.firstT === null || r.recording.lastT === null ? `${label}: ${r.recording.polls} polls`
      : `${label}: ${r.recording.polls} polls from ${new Date(r.recording.firstT).toISOString().slice(0, 16)} to ${new Date(r.recording.lastT).toISOString().slice(0, 16)}`,
    `  strategies: ${r.strategies.join(', ')}`,
    `  decisions:  ${r.summary.decisions.back} backings (${formatSol(r.summary.stakedLamports, 3)}), ${r.summary.decisions.skip} skipped`,
    `  P&L:        ${formatSol(r.pnl.pnlLamports, 4)} realised on ${r.pnl.settled} settled (${r.pnl.won} won, ${r.pnl.lost} lost, ${r.pnl.refunded} refunded); ${r.pnl.openPositions} still open; deepest drawdown ${formatSol(r.metrics.maxDrawdownLamports, 4)}`,
    ...Object.entries(r.calibration).filter(([, c]) => c.n > 0).map(([n, c]) => `  Brier ${n.padEnd(16)} ${c.brier!.toFixed(4)} over ${c.n}, log loss ${c.logLoss?.toFixed(4) ?? '–'}`),
    ...Object.entries(r.baselines).filter(([, c]) => c.n > 0).map(([n, c]) => `  Brier ${n.padEnd(16)} ${c.brier!.toFixed(4)} over ${c.n}, log loss ${c.logLoss?.toFixed(4) ?? '–'} (baseline)`),
    ...truthLines(r),
    ...r.warnings.map((w) => `  warning: ${w}`),
    '',
  ].join('\n');
}

function soloTable(main: JobResult, solo: Array<{ strategy: string; result: JobResult }>): string {
  const row = (name: string, r: JobResult) => [
    name, lamportsToSol(r.pnl.pnlLamports).toFixed(4), lamportsToSol(r.metrics.maxDrawdownLamports).toFixed(4),
    hitRateOf(r.pnl) === null ? null : `${Math.round(hitRateOf(r.pnl)! * 100)}%`, r.pnl.won + r.pnl.lost, r.summary.decisions.back, r.calibration.ensemble?.brier?.toFixed(4) ?? null,
  ];
  return 'each strategy alone, beside the ensemble:\n' + renderTable(['run', 'P&L SOL', 'drawdown SOL', 'hit rate', 'settled', 'backings', 'Brier'],
    [row('ensemble', main), ...solo.map((s) => row(`${s.strategy} alone`, s.result))]) + '\n';
}

function sweepTables(sw: SweepSummary): string {
  const d = METRIC_INFO[sw.metric].decimals;
  const f = (x: number | null) => (x === null ? null : x.toFixed(d));
  const wf = sw.walkForward;
  const out: string[] = [`sweep: ${sw.rows.length} settings of ${sw.keys.join(', ')}, by ${METRIC_INFO[sw.metric].label} (${METRIC_INFO[sw.metric].higherIsBetter ? 'higher' : 'lower'} is better); ${sw.workers} worker(s), ${(sw.wallMs / 1000).toFixed(1)} s`];
  if (wf) {
    out.push(`out of sample, ${wf.k} walk-forward folds (best first):`);
    out.push(renderTable(['settings', 'out of sample', 'in sample', 'gap', 'chosen', 'whole recording'], sw.rows.map((r) => [r.label, f(r.outOfSample), f(r.inSample), f(r.gap), `${r.chosen}/${wf.k}`, f(r.whole)])));
    out.push(renderTable(['fold', 'chosen on (UTC)', 'judged on (UTC)', 'chosen', 'in sample', 'out of sample'], wf.folds.map((x) => [
      x.index, `${new Date(x.inSample.fromMs).toISOString().slice(0, 16)}..${new Date(x.inSample.toMs).toISOString().slice(5, 16)}`,
      `${new Date(x.outOfSample.fromMs).toISOString().slice(0, 16)}..${new Date(x.outOfSample.toMs).toISOString().slice(5, 16)}`, x.chosen, f(x.inSampleValue), f(x.outOfSampleValue),
    ])));
    out.push(`walk-forward: choosing on each fold's past earned ${f(wf.outOfSample) ?? '–'} out of sample (in sample ${f(wf.inSample) ?? '–'}, gap ${f(wf.gap) ?? '–'})`);
  } else {
    out.push(renderTable(['settings', 'whole recording', 'P&L SOL', 'backings', 'drawdown SOL'], sw.rows.map((r) => [
      r.label, f(r.whole), lamportsToSol(r.wholeMetrics.pnlLamports).toFixed(4), r.wholeMetrics.backings, lamportsToSol(r.wholeMetrics.maxDrawdownLamports).toFixed(4),
    ])));
  }
  out.push(`best settings: ${sw.best.basis}.\nin your config file:\n${sw.best.snippet}\n`);
  return out.join('\n');
}

export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('replay a recorded feed through the engine in dry-run: P&L, calibration, strategies side by side, sweeps, an HTML report')
    .requiredOption('--recording <path>', 'the recording (JSON Lines; `export` or `sim --record` make one)')
    .option('--outcomes <path>', 'outcomes (JSON Lines); else inferred from resolved statuses in the recording')
    .option('--truth <path>', 'Bayes-optimal probabilities beside the recording (`sim --truth`): score every strategy and the ensemble against them')
    .option('--strategies <a,b>', 'only these strategies (names of config entries or built-ins); with two or more, each is also backtested alone')
    .option('--report <file.html>', 'write an HTML report (one file with its charts, opens offline)')
    .option('--json', 'print the result as JSON')
    .option('--check-lookahead', 'replay again with everything after the middle removed (feed, prices, outcomes), and check that no decision before the cut changed')
    .option('--sweep <key=v1,v2>', 'a grid over config keys: repeat for more keys, e.g. --sweep risk.kellyFraction=0.1,0.25 --sweep risk.minEdge=0.01,0.03', collect)
    .option('--walk-forward <K>', 'with --sweep: cut the recording into K + 1 parts in time, choose on each fold\'s past, report only what it earned on the part after', parseNumber('positive', MAX_WALK_FORWARD_FOLDS))
    .option('--metric <name>', `what a sweep ranks by: ${SWEEP_METRICS.join(', ')} (pnl is realised P&L per day)`, 'pnl')
    .option('--workers <N>', `worker threads for the runs (default: the cores there are, ${availableParallelism()} here)`, parseNumber('positive', MAX_WORKERS))
    .option('--progress-interval <seconds>', 'when not on a terminal: one JSON progress line this often', parseNumber('positive', MAX_DURATION_SECONDS), 10)
    .option('--bankroll <sol>', 'starting virtual bankroll in SOL', parseNumber('positive', MAX_SOL), 20)
    .addHelpText('after', `
Examples:
  magma-agent sim --seed 3 --record week.jsonl --outcomes week-outcomes.jsonl --duration 7d --record-interval 10m
  magma-agent backtest --recording week.jsonl --outcomes week-outcomes.jsonl --report week.html
  magma-agent backtest --recording week.jsonl --outcomes week-outcomes.jsonl --strategies crowd,price-threshold --report week.html
  magma-agent sim --seed 11 --record w.jsonl --outcomes w-out.jsonl --truth w-truth.jsonl --duration 7d
  magma-agent backtest --recording w.jsonl --outcomes w-out.jsonl --truth w-truth.jsonl
  magma-agent backtest --recording week.jsonl --outcomes week-outcomes.jsonl \\
      --sweep risk.kellyFraction=0.1,0.25 --sweep risk.minEdge=0.01,0.03 --walk-forward 3 --workers 2`)
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<BacktestOptions>();
      const metric = opts.metric as SweepMetric;
      if (!SWEEP_METRICS.includes(metric)) throw new MagmaError('USAGE', `--metric ${opts.metric} is not one of ${SWEEP_METRICS.join(', ')}.`, { hint: 'For example --metric pnl.' });
      if (opts.walkForward !== undefined && !opts.sweep?.length) throw new MagmaError('USAGE', '--walk-forward chooses among the settings of a sweep: give --sweep KEY=V1,V2 as well.', { hint: 'For example --sweep risk.kellyFraction=0.1,0.25 --walk-forward 3.' });
      const recording = resolve(opts.recording);
      requireFile(recording, 'recording');
      const outcomes = opts.outcomes ? resolve(opts.outcomes) : undefined;
      if (outcomes) requireFile(outcomes, 'outcomes file');
      const truth = opts.truth ? resolve(opts.truth) : undefined;
      if (truth) requireFile(truth, 'truth file');
      const strategies = opts.strategies?.split(',').map((s) => s.trim()).filter(Boolean);
      const axes: SweepAxis[] = (opts.sweep ?? []).map(parseSweepAxis);
      const grid: SweepPoint[] = axes.length ? sweepGrid(axes) : [];
      // Every config is built (and refused with exit 78 when invalid) before any run starts.
      const runtime = (flags: SweepPoint['settings'] = {}) => {
        const { loaded, config } = loadRuntime({ ...opts, logLevel: opts.logLevel ?? 'error' }, flags);
        return { config, secrets: configuredSecrets(loaded) };
      };
      const base = runtime();
      const configs = grid.map((p) => runtime(p.settings));
      const span = recordingSpan(recording);
      if (!span) throw new MagmaError('USAGE', `${opts.recording} holds no polls.`, { hint: 'A recording is JSON Lines of {"t": ISO time, "narratives": [...]}: make one with `magma-agent export` or `magma-agent sim --record`.' });
      const folds: Fold[] = opts.walkForward !== undefined ? walkForwardFolds(span.firstT, span.lastT, opts.walkForward) : [];
      const cutMs = opts.checkLookahead ? Math.floor((span.firstT + span.lastT) / 2) : undefined;

      // The jobs: the longest first, so that the workers finish together.
      const jobs: BacktestJob[] = [];
      const add = (j: Omit<BacktestJob, 'id' | 'recording' | 'bankrollSol' | 'fromMs' | 'toMs' | 'outcomes'> & { fromMs?: number; toMs?: number }) => {
        const job: BacktestJob = {
          ...j, id: jobs.length, recording, bankrollSol: opts.bankroll, fromMs: j.fromMs ?? span.firstT, toMs: j.toMs ?? span.lastT,
          ...(outcomes ? { outcomes } : {}), ...(strategies && !j.strategies ? { strategies } : {}),
        };
        jobs.push(job);
        return job.id;
      };
      const lookaheadOn = cutMs !== undefined ? { fingerprintUntilMs: cutMs } : {};
      // Scored against the truth: the runs over the whole recording that the report and the terminal show.
      const truthOn = truth ? { truth } : {};
      const mainId = grid.length ? null : add({ ...base, ...lookaheadOn, ...truthOn });
      const wholeIds = grid.map((_, i) => add({ ...configs[i]!, ...truthOn, ...(i === 0 ? lookaheadOn : {}), ...(folds.length ? { checkpointsMs: folds.map((f) => f.inSample.toMs) } : {}) }));
      const soloIds = strategies && strategies.length > 1 ? strategies.map((s) => ({ strategy: s, id: add({ ...base, strategies: [s] }) })) : [];
      const truncatedId = cutMs !== undefined ? add({ ...(grid.length ? configs[0]! : base), stopAtMs: cutMs, toMs: cutMs }) : null;
      const foldIds = grid.map((_, i) => folds.map((f) => add({ ...configs[i]!, startAtMs: f.outOfSample.fromMs, stopAtMs: f.outOfSample.toMs, fromMs: f.outOfSample.fromMs, toMs: f.outOfSample.toMs })));

      const workers = Math.max(1, Math.floor(opts.workers ?? availableParallelism()));
      const shutdown = onShutdown(() => process.stderr.write('\nstopping the backtest\n'));
      const bar = new BacktestProgress(jobs, { enabled: true, tty: process.stderr.isTTY === true, intervalMs: opts.progressInterval * 1000 });
      const started = Date.now();
      let results: Map<number, JobResult>;
      try {
        results = await runJobs([...jobs].sort((a, b) => b.toMs - b.fromMs - (a.toMs - a.fromMs) || a.id - b.id), {
          workers, signal: shutdown.signal, onProgress: (id, p) => bar.update(id, p), onDone: (id) => bar.jobDone(id),
        });
      } finally {
        bar.stop();
        shutdown.dispose();
      }
      const wallMs = Date.now() - started;
      const stopped = shutdown.signal.aborted;
      const got = (id: number | null) => (id === null ? undefined : results.get(id));

      let sweep: SweepSummary | null = null;
      if (grid.length && !stopped) {
        sweep = summariseSweep(metric, axes, grid.map((p, i) => {
          const whole = got(wholeIds[i]!)!;
          return {
            ...p, whole: whole.metrics, inSample: folds.map((_, k) => whole.checkpoints[k]!.metrics),
            outOfSample: foldIds[i]!.map((id) => got(id)!.metrics),
          };
        }), folds, { workers: Math.min(workers, jobs.length), wallMs });
      }
      const runs = grid.length
        ? grid.map((p, i) => ({ label: p.label, result: got(wholeIds[i]!) })).filter((r): r is { label: string; result: JobResult } => r.result !== undefined)
        : [{ label: 'backtest', result: got(mainId)! }].filter((r) => r.result !== undefined);
      if (runs.length === 0) {
        process.exitCode = 130;
        return;
      }
      const solo = soloIds.flatMap(({ strategy, id }) => (got(id) ? [{ strategy, result: got(id)! }] : []));
      const checked = grid.length ? got(wholeIds[0]!) : got(mainId);
      const truncated = got(truncatedId);
      const lookahead = cutMs !== undefined && checked && truncated ? { ok: truncated.fingerprint.sha256 === checked.fingerprintBeforeCut?.sha256, cut: new Date(cutMs).toISOString() } : null;
      const main = sweep ? runs.find((r) => r.label === sweep.best.label)! : runs[0]!;

      if (opts.report) {
        const path = resolve(opts.report);
        writeFileSync(path, backtestReportHtml({ title: `magma-agent backtest: ${opts.recording}`, main, solo, sweep, lookahead }));
        if (!opts.json) process.stdout.write(`report: ${path}\n`);
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify({
          runs: runs.map((r) => summaryJson(r.label, r.result)),
          ...(solo.length ? { solo: solo.map((s) => ({ strategy: s.strategy, ...summaryJson(`${s.strategy} alone`, s.result) })) } : {}),
          ...(sweep ? { sweep: plain(sweep) } : {}),
          lookahead,
        }, null, 2) + '\n');
      } else {
        if (sweep) process.stdout.write(sweepTables(sweep) + '\n' + runBlock(`best: ${main.label}`, main.result));
        else for (const { label, result } of runs) process.stdout.write(runBlock(label, result));
        if (solo.length) process.stdout.write(soloTable(runs[0]!.result, solo));
        if (lookahead) {
          process.stdout.write(lookahead.ok
            ? `look-ahead check: passed (a replay cut at ${lookahead.cut} made the same decisions up to the cut)\n`
            : `look-ahead check: FAILED: decisions before ${lookahead.cut} changed when the later recording was removed; a strategy sees the future\n`);
        }
      }
      if (lookahead && !lookahead.ok) process.exitCode = 1;
      if (stopped) process.exitCode = 130; // interrupted (128 + SIGINT), after printing what it has
    });
}
