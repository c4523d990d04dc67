// `sim --truth` and `backtest --truth`: every strategy and the ensemble scored against the Bayes-optimal forecast
// at the same decision times, in the JSON, the terminal and the report; unusable truth files say what to do.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

let dir: string;
let recording: string;
let outcomes: string;
let truth: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'magma-truth-'));
  recording = join(dir, 'rec.jsonl');
  outcomes = join(dir, 'out.jsonl');
  truth = join(dir, 'truth.jsonl');
  const r = await runCli(['sim', '--seed', '5', '--record', recording, '--outcomes', outcomes, '--truth', truth, '--duration', '3d', '--record-interval', '20m']);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('truth:');
}, 60_000);

interface Score { n: number; narratives: number; brier: number; logLoss: number; bayesBrier: number; bayesRatio: number }

describe('backtest --truth', () => {
  it('scores every strategy and the ensemble against the truth, overall and on price narratives', async () => {
    const report = join(dir, 'report.html');
    const r = await runCli(['backtest', '--recording', recording, '--outcomes', outcomes, '--truth', truth, '--json', '--report', report], {}, 120_000);
    expect(r.code).toBe(0);
    const run = (JSON.parse(r.stdout) as { runs: Array<{ truth: { overall: Record<string, Score>; price: Record<string, Score>; pollsWithoutTruth: number } }> }).runs[0]!;
    expect(run.truth.pollsWithoutTruth).toBe(0);
    for (const name of ['crowd', 'price-threshold', 'ensemble']) {
      const s = run.truth.overall[name]!;
      expect(s.n).toBeGreaterThan(10);
      expect(s.bayesRatio).toBeCloseTo(s.brier / s.bayesBrier, 12);
      expect(s.logLoss).toBeGreaterThan(0);
    }
    // price-threshold only speaks of price narratives: its overall and price figures are the same forecasts
    expect(run.truth.price['price-threshold']!.n).toBe(run.truth.overall['price-threshold']!.n);
    expect(run.truth.price.ensemble!.n).toBeLessThan(run.truth.overall.ensemble!.n);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('Against the truth');
    expect(html).toContain('bayesRatio');

    const text = await runCli(['backtest', '--recording', recording, '--outcomes', outcomes, '--truth', truth], {}, 120_000);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/against the truth/);
    expect(text.stdout).toMatch(/ensemble\s+0\.\d{4}\s+0\.\d{4}\s+0\.\d{4}\s+\d\.\d{3}/);
  }, 300_000);

  it('says what to do with a file that holds no truth, and warns about a truth file of another recording', async () => {
    const empty = join(dir, 'empty-truth.jsonl');
    writeFileSync(empty, 'nothing here\n');
    const bad = await runCli(['backtest', '--recording', recording, '--truth', empty]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/holds no truth lines/);
    expect(bad.stderr).toMatch(/sim --record FILE --truth/);
    const missing = await runCli(['backtest', '--recording', recording, '--truth', join(dir, 'none.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no truth file at/);

    const other = join(dir, 'other-truth.jsonl');
    const lines = readFileSync(truth, 'utf8').trimEnd().split('\n');
    writeFileSync(other, lines.slice(0, Math.floor(lines.length / 2)).join('\n') + '\n');
    const half = await runCli(['backtest', '--recording', recording, '--outcomes', outcomes, '--truth', other], {}, 120_000);
    expect(half.code).toBe(0);
    expect(half.stdout).toMatch(/poll\(s\) had no line in the truth file/);

    const sim = await runCli(['sim', '--truth', join(dir, 't.jsonl'), '--duration', '1h']);
    expect(sim.code).toBe(2);
    expect(sim.stderr).toMatch(/--truth needs --record/);
  }, 300_000);
});
