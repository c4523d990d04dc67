// A backtest end to end: the simulator generates a recording, the CLI replays it through the engine in dry-run,
// reports P&L and calibration, writes an HTML report, passes the look-ahead check, and sweeps a config key.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

let dir: string;
let recording: string;
let outcomes: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'magma-backtest-'));
  recording = join(dir, 'rec.jsonl');
  outcomes = join(dir, 'out.jsonl');
  const r = await runCli(['sim', '--seed', '4', '--record', recording, '--outcomes', outcomes, '--duration', '2d', '--record-interval', '30m']);
  expect(r.code).toBe(0);
});

interface Run {
  label: string;
  polls: number;
  decisions: { back: number; skip: number };
  pnl: { settled: number; pnlLamports: string };
  calibration: Record<string, { n: number; brier: number }>;
}

describe('backtest', () => {
  it('replays a recording, settles outcomes, writes a report and passes the look-ahead check', async () => {
    const report = join(dir, 'report.html');
    const r = await runCli(['backtest', '--recording', recording, '--outcomes', outcomes, '--json', '--check-lookahead', '--report', report], {}, 120_000);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { runs: Run[]; lookahead: { ok: boolean } };
    const lines = readFileSync(recording, 'utf8').trim().split('\n').filter((l) => l.includes('"narratives"'));
    expect(out.runs[0]!.polls).toBe(lines.length);
    expect(out.runs[0]!.decisions.back + out.runs[0]!.decisions.skip).toBeGreaterThan(100);
    expect(out.runs[0]!.pnl.settled).toBeGreaterThan(0);
    expect(out.runs[0]!.calibration.crowd!.n).toBeGreaterThan(10);
    expect(out.lookahead.ok).toBe(true);
    const html = readFileSync(report, 'utf8');
    // One file: uPlot's script inlined, no reference to anything outside it.
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(\s*['"]?https?:|fetch\(/);
    expect(html).toContain('Calibration');
    const charts = JSON.parse(/<script type="application\/json" id="chart-data">(.*?)<\/script>/s.exec(html)![1]!) as Array<{ kind: string; id: string }>;
    expect(charts.map((c) => c.id)).toEqual(expect.arrayContaining(['chart-equity', 'chart-drawdown', 'chart-exposure', 'chart-scores', 'chart-reliability-0', 'chart-skips']));
  });

  it('is deterministic: the same recording gives the same result', async () => {
    const a = await runCli(['backtest', '--recording', recording, '--outcomes', outcomes, '--json'], {}, 120_000);
    const b = await runCli(['backtest', '--recording', recording, '--outcomes', outcomes, '--json'], {}, 120_000);
    expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
  });

  it('sweeps a config key (validated like any config) and runs without an outcomes file', async () => {
    const r = await runCli(['backtest', '--recording', recording, '--json', '--strategies', 'crowd', '--sweep', 'risk.kellyFraction=0.1,0.5'], {}, 120_000);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { runs: Run[] };
    expect(out.runs.map((x) => x.label)).toEqual(['risk.kellyFraction=0.1', 'risk.kellyFraction=0.5']);
    expect((out.runs[0] as unknown as { warnings: string[] }).warnings[0]).toMatch(/^no outcomes/); // said, not silently 0
    const bad = await runCli(['backtest', '--recording', recording, '--sweep', 'risk.maxStakeSol=50']);
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain('"risk.maxStakeSol"');
  });

  it('backtests each strategy alone beside the ensemble, in the terminal and the JSON', async () => {
    const r = await runCli(['backtest', '--recording', recording, '--outcomes', outcomes, '--json', '--strategies', 'crowd,price-threshold', '--workers', '2'], {}, 120_000);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { runs: Run[]; solo: Array<Run & { strategy: string; strategies: string[]; maxDrawdownLamports: string; hitRate: number | null }> };
    expect(out.runs[0]!.label).toBe('backtest');
    expect(out.solo.map((x) => [x.strategy, x.strategies])).toEqual([['crowd', ['crowd']], ['price-threshold', ['price-threshold']]]);
    for (const x of out.solo) expect(BigInt(x.maxDrawdownLamports)).toBeGreaterThanOrEqual(0n);
    // Alone, crowd scores exactly as it does inside the ensemble: the same forecasts from the same engine.
    expect(out.solo[0]!.calibration.crowd).toEqual(out.runs[0]!.calibration.crowd);
    const text = await runCli(['backtest', '--recording', recording, '--outcomes', outcomes, '--strategies', 'crowd,price-threshold'], {}, 120_000);
    expect(text.stdout).toMatch(/each strategy alone, beside the ensemble:\nrun +P&L SOL +drawdown SOL +hit rate/);
    expect(text.stdout).toMatch(/^crowd alone +-?\d+\.\d{4}/m);
  }, 240_000);

  it('sweeps a grid with a walk-forward: only out-of-sample results, the gap, and the best settings as a config snippet', async () => {
    const args = ['backtest', '--recording', recording, '--outcomes', outcomes, '--sweep', 'risk.kellyFraction=0.1,0.5', '--sweep', 'risk.minEdge=0.01,0.05', '--walk-forward', '2'];
    const r = await runCli([...args, '--json'], {}, 170_000);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { runs: Run[]; sweep: { rows: Array<{ label: string; outOfSample: number | null; inSample: number | null; gap: number | null; chosen: number }>; walkForward: { k: number; folds: Array<{ chosen: string; outOfSample: { fromMs: number; toMs: number }; inSample: { toMs: number } }> }; best: { snippet: string } } };
    expect(out.runs).toHaveLength(4);
    expect(out.sweep.rows).toHaveLength(4);
    expect(out.sweep.walkForward.k).toBe(2);
    const [f1, f2] = out.sweep.walkForward.folds;
    expect(f1!.outOfSample.fromMs).toBe(f1!.inSample.toMs + 1); // judged only after what it was chosen on
    expect(f2!.outOfSample.fromMs).toBe(f1!.outOfSample.toMs + 1);
    expect(out.sweep.rows.reduce((n, x) => n + x.chosen, 0)).toBe(2);
    for (const x of out.sweep.rows) if (x.inSample !== null && x.outOfSample !== null) expect(x.gap).toBeCloseTo(x.inSample - x.outOfSample, 12);
    expect(Object.keys(JSON.parse(out.sweep.best.snippet) as object)).toEqual(['risk']);
    const text = await runCli(args, {}, 170_000);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/out of sample, 2 walk-forward folds \(best first\):\nsettings +out of sample +in sample +gap +chosen/);
    expect(text.stdout).toMatch(/walk-forward: choosing on each fold's past earned/);
    expect(text.stdout).toMatch(/in your config file:\n\{\n {2}"risk": \{/);
  }, 360_000);

  it('says what to do with a walk-forward without a sweep, an unknown metric or a key swept twice', async () => {
    const wf = await runCli(['backtest', '--recording', recording, '--walk-forward', '3']);
    expect(wf.code).toBe(2);
    expect(wf.stderr).toMatch(/--walk-forward chooses among the settings of a sweep: give --sweep KEY=V1,V2 as well/);
    const metric = await runCli(['backtest', '--recording', recording, '--sweep', 'risk.minEdge=0.01,0.02', '--metric', 'sharpe']);
    expect(metric.code).toBe(2);
    expect(metric.stderr).toMatch(/--metric sharpe is not one of pnl, hit-rate, brier, logloss/);
    const twice = await runCli(['backtest', '--recording', recording, '--sweep', 'risk.minEdge=0.01', '--sweep', 'risk.minEdge=0.02']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/names risk\.minEdge twice/);
  });

  it('skips unreadable lines and says so; a missing recording says how to make one; a directory or a pipe is named as such', async () => {
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, readFileSync(recording, 'utf8').split('\n').slice(0, 6).join('\n') + '\n{not json\n{"t":"nope","narratives":[]}\n');
    const r = await runCli(['backtest', '--recording', broken]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 line\(s\) were unreadable/);
    // A recording whose lines go back in time: the polls out of order are counted and named, not called unreadable.
    const reversed = join(dir, 'reversed.jsonl');
    writeFileSync(reversed, readFileSync(recording, 'utf8').trim().split('\n').filter((l) => l.includes('"narratives"')).slice(0, 6).reverse().join('\n') + '\n');
    const back = await runCli(['backtest', '--recording', reversed]);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/1 polls from/);
    expect(back.stdout).toMatch(/5 poll\(s\) went back in time and were skipped: a recording must be in time order/);
    expect(back.stdout).not.toMatch(/unreadable/);
    const missing = await runCli(['backtest', '--recording', join(dir, 'none.jsonl')]);
    expect(missing.code).toBe(2);
    const garbage = join(dir, 'garbage.jsonl');
    writeFileSync(garbage, 'hello\n');
    const g = await runCli(['backtest', '--recording', garbage]);
    expect(g.code).toBe(2);
    expect(g.stderr).toMatch(/holds no polls/);
    expect(missing.stderr).toMatch(/sim --record/);
    // A directory, and a pipe (what `--recording <(zcat rec.jsonl.gz)` gives): a backtest reads its file more than
    // once, so a pipe came back empty the second time ("holds no polls"); both are named for what they are.
    const folder = await runCli(['backtest', '--recording', dir]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/the recording .* is a directory\. Give a regular file/);
    const fifo = join(dir, 'pipe.jsonl');
    execFileSync('mkfifo', [fifo]);
    const piped = await runCli(['backtest', '--recording', recording, '--outcomes', fifo]);
    expect(piped.code).toBe(2);
    expect(piped.stderr).toMatch(/the outcomes file .*pipe\.jsonl is not a regular file \(a pipe or a device\), and a backtest reads it more than once\. .*zcat/);
  });

  it('reads an outcomes file line by line within the line limit: an endless line and junk are counted and named, the rest settles', async () => {
    // a line past 64 MiB (a 700 MB one failed with "Invalid string length", exit 1), a line that is not JSON, then the outcomes
    const hostile = join(dir, 'hostile-outcomes.jsonl');
    writeFileSync(hostile, Buffer.alloc(65 * 2 ** 20 + 1, 'a'));
    appendFileSync(hostile, '\n{not json\n' + readFileSync(outcomes, 'utf8'));
    const r = await runCli(['backtest', '--recording', recording, '--outcomes', hostile]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 line\(s\) of the outcomes file were unreadable \(.*over 64 MiB\) and were skipped/);
    expect(r.stdout).not.toMatch(/no outcomes/);
    // an outcomes file with nothing usable is not called "no --outcomes file"
    const junk = join(dir, 'junk-outcomes.jsonl');
    writeFileSync(junk, '{not json\n');
    const j = await runCli(['backtest', '--recording', recording, '--outcomes', junk]);
    expect(j.code).toBe(0);
    expect(j.stdout).toMatch(/1 line\(s\) of the outcomes file were unreadable/);
    expect(j.stdout).toMatch(/no outcomes: nothing usable in the outcomes file/);
  });
});
