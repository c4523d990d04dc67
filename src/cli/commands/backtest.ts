// `magma-agent backtest`: replays a recording through the one engine in dry-run and reports what it would have done.
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { backtestReportHtml } from '../../backtest/report-html.js';
import { recordingSpan } from '../../backtest/recording.js';
import { runBacktest, type BacktestResult } from '../../backtest/run-backtest.js';
import { MagmaError } from '../../core/errors.js';
import { formatSol } from '../../core/money.js';
import { loadRuntime, type GlobalOptions } from '../runtime.js';
import { onShutdown } from '../shutdown.js';
import { parseNumber } from './sim.js';

interface BacktestOptions extends GlobalOptions {
  recording: string;
  outcomes?: string;
  truth?: string;
  strategies?: string;
  report?: string;
  json?: boolean;
  checkLookahead?: boolean;
  sweep?: string;
  bankroll: number;
}

function parseSweep(spec: string): { key: string; values: Array<string | number | boolean | null> } {
  const m = /^([A-Za-z][\w.]*)=(.+)$/.exec(spec);
  if (!m) throw new MagmaError('USAGE', `--sweep "${spec}" is not KEY=V1,V2,…`, { hint: 'For example --sweep risk.kellyFraction=0.1,0.25,0.5' });
  const values = m[2]!.split(',').map((v) => {
    try {
      return JSON.parse(v) as string | number | boolean | null;
    } catch {
      return v;
    }
  });
  return { key: m[1]!, values };
}

/** A progress bar on a terminal; a line every 10% otherwise (journald, CI). */
function progress(enabled: boolean) {
  const tty = process.stderr.isTTY === true;
  let lastDraw = 0;
  let lastDecile = -1;
  return {
    update(p: { fraction: number; polls: number; t: number; backed: number }) {
      if (!enabled) return;
      const pct = Math.min(100, Math.floor(p.fraction * 100));
      const when = new Date(p.t).toISOString().slice(0, 16).replace('T', ' ');
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100 && pct < 100) return;
        lastDraw = now;
        const width = 30;
        const filled = Math.round((pct / 100) * width);
        process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(pct).padStart(3)}%  ${p.polls} polls  ${when}  backed ${p.backed}   `);
      } else if (Math.floor(pct / 10) > lastDecile) {
        lastDecile = Math.floor(pct / 10);
        process.stderr.write(`backtest ${pct}%: ${p.polls} polls, at ${when}, backed ${p.backed}\n`);
      }
    },
    done() {
      if (enabled && tty) process.stderr.write('\n');
    },
  };
}

function summaryJson(label: string, r: BacktestResult) {
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
    calibration: r.calibration,
    fingerprint: r.fingerprint,
    ...(r.truth ? { truth: r.truth } : {}),
    ensembleWeights: r.ensembleWeights,
  };
}

/** The scores against the truth as terminal lines: per strategy, overall and on price narratives. */
function truthLines(r: BacktestResult): string[] {
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

export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('replay a recorded feed through the engine in dry-run: P&L, calibration, an HTML report')
    .requiredOption('--recording <path>', 'the recording (JSON Lines; `export` or `sim --record` make one)')
    .option('--outcomes <path>', 'outcomes (JSON Lines); else inferred from resolved statuses in the recording')
    .option('--truth <path>', 'Bayes-optimal probabilities beside the recording (`sim --truth`): score every strategy and the ensemble against them')
    .option('--strategies <a,b>', 'only these strategies (names of config entries or built-ins)')
    .option('--report <file.html>', 'write an HTML report')
    .option('--json', 'print the result as JSON')
    .option('--check-lookahead', 'replay again with everything after the middle removed (feed, prices, outcomes), and check that no decision before the cut changed')
    .option('--sweep <key=v1,v2>', 'one run per value of a config key, e.g. risk.kellyFraction=0.1,0.25')
    .option('--bankroll <sol>', 'starting virtual bankroll in SOL', parseNumber('positive'), 20)
    .addHelpText('after', `
Examples:
  magma-agent sim --seed 3 --record week.jsonl --outcomes week-outcomes.jsonl --duration 7d --record-interval 10m
  magma-agent backtest --recording week.jsonl --outcomes week-outcomes.jsonl --report week.html
  magma-agent sim --seed 11 --record w.jsonl --outcomes w-out.jsonl --truth w-truth.jsonl --duration 7d
  magma-agent backtest --recording w.jsonl --outcomes w-out.jsonl --truth w-truth.jsonl
  magma-agent backtest --recording week.jsonl --sweep risk.kellyFraction=0.1,0.25,0.5 --json`)
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<BacktestOptions>();
      const sweep = opts.sweep ? parseSweep(opts.sweep) : null;
      const variants = sweep ? sweep.values.map((v) => ({ label: `${sweep.key}=${JSON.stringify(v)}`, flags: { [sweep.key]: v } })) : [{ label: 'backtest', flags: {} }];
      const shutdown = onShutdown(() => process.stderr.write('\nstopping the backtest\n'));
      const runs: Array<{ label: string; result: BacktestResult }> = [];
      let lookahead: { ok: boolean; cut: string } | null = null;
      try {
        // The look-ahead check cuts the recording in the middle of its time span: known before the first run, so
        // that run can fingerprint its decisions up to the cut as it goes.
        const span = opts.checkLookahead ? recordingSpan(resolve(opts.recording)) : null;
        const cutMs = span ? Math.floor((span.firstT + span.lastT) / 2) : undefined;
        for (const variant of variants) {
          const { config, logger } = loadRuntime({ ...opts, logLevel: opts.logLevel ?? 'error' }, variant.flags);
          const bar = progress(!opts.json);
          if (variants.length > 1 && !opts.json) process.stderr.write(`${variant.label}\n`);
          const common = {
            config, logger, recording: resolve(opts.recording), bankrollSol: opts.bankroll, signal: shutdown.signal,
            ...(opts.outcomes ? { outcomes: resolve(opts.outcomes) } : {}),
            ...(opts.strategies ? { strategies: opts.strategies.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
          };
          const check = cutMs !== undefined && !lookahead;
          const result = await runBacktest({
            ...common, onProgress: (p) => bar.update(p), ...(check ? { fingerprintUntilMs: cutMs } : {}), ...(opts.truth ? { truth: resolve(opts.truth) } : {}),
          });
          bar.done();
          runs.push({ label: variant.label, result });
          if (shutdown.signal.aborted) break; // Ctrl-C: report what was replayed, run nothing more
          if (check) {
            const truncated = await runBacktest({ ...common, stopAtMs: cutMs });
            lookahead = { ok: truncated.fingerprint.sha256 === result.fingerprintBeforeCut?.sha256, cut: new Date(cutMs).toISOString() };
            truncated.close();
          }
        }
        if (opts.report) {
          const path = resolve(opts.report);
          writeFileSync(path, backtestReportHtml(`magma-agent backtest: ${opts.recording}`, runs));
          if (!opts.json) process.stdout.write(`report: ${path}\n`);
        }
        if (opts.json) {
          process.stdout.write(JSON.stringify({ runs: runs.map((r) => summaryJson(r.label, r.result)), lookahead }, null, 2) + '\n');
        } else {
          for (const { label, result: r } of runs) {
            process.stdout.write([
              `${label}: ${r.recording.polls} polls from ${new Date(r.recording.firstT ?? 0).toISOString().slice(0, 16)} to ${new Date(r.recording.lastT ?? 0).toISOString().slice(0, 16)}`,
              `  strategies: ${r.strategies.join(', ')}`,
              `  decisions:  ${r.summary.decisions.back} backings (${formatSol(r.summary.stakedLamports, 3)}), ${r.summary.decisions.skip} skipped`,
              `  P&L:        ${formatSol(r.pnl.pnlLamports, 4)} realised on ${r.pnl.settled} settled (${r.pnl.won} won, ${r.pnl.lost} lost, ${r.pnl.refunded} refunded); ${r.pnl.openPositions} still open`,
              ...Object.entries(r.calibration).filter(([, c]) => c.n > 0).map(([n, c]) => `  Brier ${n.padEnd(16)} ${c.brier!.toFixed(4)} over ${c.n}`),
              ...truthLines(r),
              ...r.warnings.map((w) => `  warning: ${w}`),
              '',
            ].join('\n'));
          }
          if (lookahead) {
            process.stdout.write(lookahead.ok
              ? `look-ahead check: passed (a replay cut at ${lookahead.cut} made the same decisions up to the cut)\n`
              : `look-ahead check: FAILED: decisions before ${lookahead.cut} changed when the later recording was removed; a strategy sees the future\n`);
          }
        }
        if (lookahead && !lookahead.ok) process.exitCode = 1;
        if (shutdown.signal.aborted) process.exitCode = 130; // interrupted (128 + SIGINT), after printing what it has
      } finally {
        for (const r of runs) r.result.close();
        shutdown.dispose();
      }
    });
}
