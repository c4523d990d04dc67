// Sweeps: a grid over several config keys, judged on the whole recording or, with a walk-forward, chosen on each fold's
// in-sample window and judged only on the out-of-sample fold after it. The walk-forward is anchored: the recording's
// span is cut into K + 1 equal parts; fold k (1..K) chooses on parts 0..k-1 and is judged on part k. The in-sample
// figures come from each setting's run over the whole recording, read at the fold's boundary (a decision never
// depends on later polls: the look-ahead check proves it); each out-of-sample part is a run of its own that starts
// with the history it would have had, with no positions, and settles what resolved by its end.
import { MagmaError } from '../core/errors.js';
import type { RunMetrics } from './run-backtest.js';
import { compareMetric, METRIC_INFO, metricValue, type SweepMetric } from './sweep-metric.js';

export type SettingValue = string | number | boolean | null;

export interface SweepPoint {
  label: string;
  settings: Record<string, SettingValue>;
}

export interface SweepAxis {
  key: string;
  values: SettingValue[];
}

export interface Window {
  fromMs: number;
  toMs: number;
}

export interface Fold {
  index: number;
  inSample: Window;
  outOfSample: Window;
}

export interface SweepRow extends SweepPoint {
  /** The metric over the whole recording (in-sample when there is no walk-forward). */
  whole: number | null;
  wholeMetrics: RunMetrics;
  /** Walk-forward only: the mean over folds in-sample and out-of-sample, their gap, and how often it was chosen. */
  inSample: number | null;
  outOfSample: number | null;
  gap: number | null;
  chosen: number;
}

export interface FoldResult extends Fold {
  chosen: string;
  inSampleValue: number | null;
  outOfSampleValue: number | null;
  outOfSampleMetrics: RunMetrics;
}

export interface SweepSummary {
  metric: SweepMetric;
  keys: string[];
  /** Best first: by the out-of-sample mean with a walk-forward, else by the whole recording's figure. */
  rows: SweepRow[];
  walkForward: {
    k: number;
    folds: FoldResult[];
    /** What choosing on each in-sample window earned out of sample: the honest figure. */
    outOfSample: number | null;
    inSample: number | null;
    gap: number | null;
  } | null;
  best: SweepPoint & { snippet: string; basis: string };
  workers: number;
  wallMs: number;
}

/** Parses `KEY=V1,V2,…` (values as JSON where they parse, else strings). */
export function parseSweepAxis(spec: string): SweepAxis {
  const m = /^([A-Za-z][\w.]*)=(.+)$/.exec(spec);
  if (!m) throw new MagmaError('USAGE', `--sweep "${spec}" is not KEY=V1,V2,…`, { hint: 'For example --sweep risk.kellyFraction=0.1,0.25 --sweep risk.minEdge=0.01,0.03' });
  // as in config files: such a key would reach every object's prototype (the config snippet is built from the keys)
  const forbidden = m[1]!.split('.').find((p) => p === 'constructor' || p === 'prototype' || p === '__proto__');
  if (forbidden) throw new MagmaError('USAGE', `--sweep ${m[1]} names "${forbidden}", which is no configuration key.`, { hint: 'Sweep real keys of the config, e.g. --sweep risk.kellyFraction=0.1,0.25.' });
  const values = m[2]!.split(',').map((v): SettingValue => {
    try {
      return JSON.parse(v) as SettingValue;
    } catch {
      return v;
    }
  });
  return { key: m[1]!, values };
}

/** Every combination of the axes' values, in order (the last axis varies fastest). */
export function sweepGrid(axes: readonly SweepAxis[]): SweepPoint[] {
  const keys = axes.map((a) => a.key);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) throw new MagmaError('USAGE', `--sweep names ${dup} twice.`, { hint: 'Give each key once, with all its values: --sweep KEY=V1,V2,V3.' });
  let points: Array<Record<string, SettingValue>> = [{}];
  for (const a of axes) points = points.flatMap((p) => a.values.map((v) => ({ ...p, [a.key]: v })));
  return points.map((settings) => ({ settings, label: Object.entries(settings).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ') }));
}

/** K anchored folds over [firstT, lastT]: fold k chooses on [firstT, b_k] and is judged on (b_k, b_k+1]. */
export function walkForwardFolds(firstT: number, lastT: number, k: number): Fold[] {
  if (!Number.isInteger(k) || k < 1) throw new MagmaError('USAGE', `--walk-forward ${k} is not a whole number of folds ≥ 1.`, { hint: 'For example --walk-forward 3.' });
  const b = (j: number) => (j === k + 1 ? lastT : Math.floor(firstT + ((lastT - firstT) * j) / (k + 1)));
  return Array.from({ length: k }, (_, i) => ({
    index: i + 1,
    inSample: { fromMs: firstT, toMs: b(i + 1) },
    outOfSample: { fromMs: b(i + 1) + 1, toMs: b(i + 2) },
  }));
}

/** The settings as the config file's JSON (dotted keys nested). */
export function configSnippet(settings: Record<string, SettingValue>): string {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    const parts = key.split('.');
    let node = root;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]!] = value;
  }
  return JSON.stringify(root, null, 2);
}

const mean = (xs: Array<number | null>): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

export interface PointRuns extends SweepPoint {
  /** The run over the whole recording, with its metrics at each fold's in-sample end (in fold order). */
  whole: RunMetrics;
  inSample: RunMetrics[];
  /** Walk-forward: each fold's out-of-sample run (in fold order). */
  outOfSample: RunMetrics[];
}

/** Ranks the grid, and with folds, chooses on each in-sample window and reads the chosen setting out of sample. */
export function summariseSweep(metric: SweepMetric, axes: readonly SweepAxis[], runs: readonly PointRuns[], folds: readonly Fold[], timing: { workers: number; wallMs: number }): SweepSummary {
  const value = (m: RunMetrics) => metricValue(metric, m);
  const rows: SweepRow[] = runs.map((r) => {
    const is = folds.map((_, i) => value(r.inSample[i]!));
    const oos = folds.map((_, i) => value(r.outOfSample[i]!));
    const inSample = folds.length ? mean(is) : null;
    const outOfSample = folds.length ? mean(oos) : null;
    return {
      label: r.label, settings: r.settings, whole: value(r.whole), wholeMetrics: r.whole, inSample, outOfSample,
      gap: inSample !== null && outOfSample !== null ? inSample - outOfSample : null, chosen: 0,
    };
  });
  let walkForward: SweepSummary['walkForward'] = null;
  if (folds.length) {
    const results: FoldResult[] = folds.map((f, i) => {
      const best = [...runs.keys()].sort((a, b) => compareMetric(metric, value(runs[a]!.inSample[i]!), value(runs[b]!.inSample[i]!)) || a - b)[0]!;
      rows[best]!.chosen++;
      return {
        ...f, chosen: runs[best]!.label, inSampleValue: value(runs[best]!.inSample[i]!), outOfSampleValue: value(runs[best]!.outOfSample[i]!),
        outOfSampleMetrics: runs[best]!.outOfSample[i]!,
      };
    });
    const inSample = mean(results.map((r) => r.inSampleValue));
    const outOfSample = mean(results.map((r) => r.outOfSampleValue));
    walkForward = { k: folds.length, folds: results, inSample, outOfSample, gap: inSample !== null && outOfSample !== null ? inSample - outOfSample : null };
  }
  const order = [...rows.keys()].sort((a, b) => (folds.length ? compareMetric(metric, rows[a]!.outOfSample, rows[b]!.outOfSample) : 0) || compareMetric(metric, rows[a]!.whole, rows[b]!.whole) || a - b);
  // The setting to use from now on is chosen on all the data there is (the whole recording), as each fold chose on its
  // own past; the walk-forward says what that way of choosing earned out of sample.
  const finalIdx = [...rows.keys()].sort((a, b) => compareMetric(metric, rows[a]!.whole, rows[b]!.whole) || a - b)[0]!;
  const final = rows[finalIdx]!;
  const fmt = (x: number | null) => (x === null ? '–' : x.toFixed(METRIC_INFO[metric].decimals));
  const basis = walkForward
    ? `chosen on the whole recording (${METRIC_INFO[metric].label} ${fmt(final.whole)}); choosing this way earned ${fmt(walkForward.outOfSample)} out of sample over ${walkForward.k} walk-forward folds (in-sample ${fmt(walkForward.inSample)})`
    : `chosen on the whole recording and judged on the same data (${METRIC_INFO[metric].label} ${fmt(final.whole)}): in-sample only, so optimistic; add --walk-forward K for an out-of-sample figure`;
  return {
    metric, keys: axes.map((a) => a.key), rows: order.map((i) => rows[i]!), walkForward,
    best: { label: final.label, settings: final.settings, snippet: configSnippet(final.settings), basis }, ...timing,
  };
}
