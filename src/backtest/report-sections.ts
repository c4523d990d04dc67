// The sections of the backtest report, in page order. Each takes the report's input and returns its HTML and the
// specs of its charts (drawn by report-client.ts), or null when it has nothing to show. To add a section, write a
// function of this shape and put it in REPORT_SECTIONS where it belongs on the page.
import { formatSol, lamportsToSol } from '../core/money.js';
import { ALWAYS_HALF, CROWD_SHARE } from '../store/replay-store.js';
import type { BarChartSpec, ChartSpec, TimeChartSpec } from './report-client.js';
import { esc, type ReportInput, type ReportSection } from './report-model.js';
import type { JobResult } from './backtest-job.js';
import type { RunSeries } from './run-series.js';
import { hitRateOf, METRIC_INFO } from './sweep-metric.js';
import { truthAndWeights } from './report-truth.js';

const PALETTE = ['#c2410c', '#2563eb', '#16a34a', '#9333ea', '#0891b2', '#ca8a04', '#db2777', '#4b5563'];
const color = (i: number) => PALETTE[i % PALETTE.length]!;
const sol = (lamports: bigint, d = 4) => lamportsToSol(lamports).toFixed(d);
const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);
const num = (x: number | null | undefined, d = 4) => (x === null || x === undefined ? '–' : x.toFixed(d));
const secs = (t: number[]) => t.map((x) => x / 1000);
const table = (head: string[], rows: string[][], numeric: (i: number) => boolean = (i) => i > 0) =>
  `<table><tr>${head.map((h, i) => `<th${numeric(i) ? ' class="n"' : ''}>${h}</th>`).join('')}</tr>${rows.map((r) => `<tr${r.length > head.length ? ` class="${r[head.length]}"` : ''}>${r.slice(0, head.length).map((c, i) => `<td${numeric(i) ? ' class="n"' : ''}>${c}</td>`).join('')}</tr>`).join('')}</table>`;
const chartDiv = (id: string) => `<div class="chart" id="${id}"></div>`;

const hitRate = (r: JobResult) => hitRateOf(r.pnl);

function overview({ main, lookahead }: ReportInput): ReportSection {
  const r = main.result;
  const s = r.summary;
  const from = r.recording.firstT === null ? '–' : new Date(r.recording.firstT).toISOString().slice(0, 16).replace('T', ' ');
  const to = r.recording.lastT === null ? '–' : new Date(r.recording.lastT).toISOString().slice(0, 16).replace('T', ' ');
  const html = `<p>${esc(main.label)}: strategies ${esc(r.strategies.join(', '))}; ${r.recording.polls} polls from ${from} to ${to} UTC.</p>
<div class="cards">
  <div><b>${formatSol(r.pnl.pnlLamports, 3)}</b><span>realised P&amp;L on ${formatSol(r.bankrollLamports, 0)}</span></div>
  <div><b>${formatSol(r.metrics.maxDrawdownLamports, 3)}</b><span>deepest drawdown of realised P&amp;L</span></div>
  <div><b>${r.pnl.settled}</b><span>settled (${r.pnl.won} won, ${r.pnl.lost} lost, ${r.pnl.refunded} refunded)</span></div>
  <div><b>${pct(hitRate(r))}</b><span>of settled backings won</span></div>
  <div><b>${s.decisions.back}</b><span>backings, ${formatSol(s.stakedLamports, 2)} staked</span></div>
  <div><b>${r.pnl.openPositions}</b><span>still open (${formatSol(r.pnl.openLamports, 2)})</span></div>
</div>
${r.warnings.map((w) => `<p class="warn">⚠ ${esc(w)}</p>`).join('')}
${lookahead ? `<p class="${lookahead.ok ? 'muted' : 'warn'}">Look-ahead check ${lookahead.ok ? 'passed' : 'FAILED'}: a replay cut at ${esc(lookahead.cut)} ${lookahead.ok ? 'made the same decisions up to the cut' : 'decided differently before the cut: a strategy sees the future'}.</p>` : ''}`;
  return { id: 'overview', title: 'Overview', html, charts: [] };
}

/** Values to a millionth (of a SOL): what a chart can show, and a page a third the size. */
const micro = (values: Array<number | null>) => values.map((v) => (v === null ? null : Math.round(v * 1e6) / 1e6));

function timeChart(id: string, s: RunSeries, series: TimeChartSpec['series'], leftLabel: string, rightLabel?: string): TimeChartSpec {
  return { kind: 'time', id, x: secs(s.t), series: series.map((x) => ({ ...x, values: micro(x.values) })), leftLabel, ...(rightLabel ? { rightLabel } : {}) };
}

function equity({ main }: ReportInput): ReportSection | null {
  const s = main.result.series;
  if (s.t.length === 0) return null;
  const charts: ChartSpec[] = [
    timeChart('chart-equity', s, [
      { label: 'realised P&L', values: s.realised, color: color(0), fill: true },
      { label: 'marked to the model', values: s.marked, color: color(1), dash: true },
      { label: 'at stake', values: s.atStake, color: color(7), axis: 'right' },
    ], 'P&L (SOL)', 'at stake (SOL)'),
    timeChart('chart-drawdown', s, [
      { label: 'drawdown of realised P&L', values: s.drawdown, color: color(0), fill: true },
      { label: 'drawdown marked to the model', values: s.drawdownMarked, color: color(1), dash: true },
    ], 'below peak (SOL)'),
    timeChart('chart-exposure', s, [
      { label: 'at stake', values: s.atStake, color: color(2), fill: true },
      { label: 'open positions', values: s.openPositions, color: color(3), axis: 'right' },
    ], 'at stake (SOL)', 'open positions'),
  ];
  const html = `<p class="muted">Realised P&amp;L counts settled positions only. Marked to the model adds each open position's expected P&amp;L at
the ensemble's last forecast for it under the payout rule: what the model believes the book is worth, not a price anyone would pay.</p>
<h3>Equity</h3>${chartDiv('chart-equity')}<h3>Drawdown</h3>${chartDiv('chart-drawdown')}<h3>Exposure and open positions</h3>${chartDiv('chart-exposure')}`;
  return { id: 'equity', title: 'Equity, drawdown, exposure', html, charts };
}

/** A run's series read at the main run's times (the last value at or before each). */
function alignTo(t: number[], s: RunSeries, values: number[]): Array<number | null> {
  const out: Array<number | null> = [];
  let j = -1;
  for (const x of t) {
    while (j + 1 < s.t.length && s.t[j + 1]! <= x) j++;
    out.push(j >= 0 ? values[j]! : null);
  }
  return out;
}

function strategies({ main, solo }: ReportInput): ReportSection {
  const runs = [{ name: `ensemble (${main.result.strategies.join(' + ')})`, r: main.result }, ...solo.map((x) => ({ name: `${x.strategy} alone`, r: x.result }))];
  const rows = runs.map(({ name, r }) => [
    esc(name), sol(r.pnl.pnlLamports), sol(r.metrics.maxDrawdownLamports), pct(hitRate(r)), String(r.pnl.won + r.pnl.lost), String(r.summary.decisions.back),
    sol(r.summary.stakedLamports, 2), num(r.calibration.ensemble?.brier),
  ]);
  const charts: ChartSpec[] = [{
    kind: 'bars', id: 'chart-pnl-strategy', labels: runs.map((x) => x.name), yLabel: 'SOL',
    series: [{ label: 'realised P&L', values: runs.map((x) => lamportsToSol(x.r.pnl.pnlLamports)), color: color(0) },
      { label: 'deepest drawdown', values: runs.map((x) => -lamportsToSol(x.r.metrics.maxDrawdownLamports)), color: color(7) }],
  }];
  let overlay = '';
  if (solo.length && main.result.series.t.length) {
    const t = main.result.series.t;
    charts.push({
      kind: 'time', id: 'chart-equity-strategy', x: secs(t), leftLabel: 'realised P&L (SOL)',
      series: runs.map((x, i) => ({ label: x.name, values: micro(alignTo(t, x.r.series, x.r.series.realised)), color: color(i) })),
    });
    overlay = `<h3>Realised P&amp;L over time, each alone</h3>${chartDiv('chart-equity-strategy')}`;
  }
  const html = `${solo.length ? '<p class="muted">Each strategy was also backtested as the only strategy, through the same engine, sizing and limits.</p>' : '<p class="muted">Give <code>--strategies a,b</code> to backtest each strategy alone beside the ensemble.</p>'}
${table(['run', 'P&amp;L (SOL)', 'deepest drawdown', 'hit rate', 'settled', 'backings', 'staked', 'Brier'], rows)}
<h3>P&amp;L by strategy</h3>${chartDiv('chart-pnl-strategy')}${overlay}`;
  return { id: 'strategies', title: 'P&L by strategy', html, charts };
}

function calibration({ main }: ReportInput): ReportSection {
  const r = main.result;
  const names = Object.keys(r.calibration).filter((n) => r.calibration[n]!.n > 0).sort((a, b) => (a === 'ensemble' ? -1 : b === 'ensemble' ? 1 : a.localeCompare(b)));
  const scored = [...names.map((n) => ({ name: n, c: r.calibration[n]!, baseline: false })), ...[CROWD_SHARE, ALWAYS_HALF].map((n) => ({ name: n, c: r.baselines[n]!, baseline: true })).filter((x) => x.c && x.c.n > 0)];
  if (scored.length === 0) return { id: 'calibration', title: 'Calibration', html: '<p class="muted">No narrative resolved TRUE or FALSE: nothing to score.</p>', charts: [] };
  const rows = scored.map(({ name, c, baseline }) => [esc(baseline ? `${name} (baseline)` : name), String(c.n), num(c.brier), num(c.logLoss ?? null), pct(c.hitRate)]);
  const charts: ChartSpec[] = [{
    kind: 'bars', id: 'chart-scores', labels: scored.map((x) => x.name), yLabel: 'score (lower is better)',
    series: [{ label: 'Brier', values: scored.map((x) => x.c.brier), color: color(1) }, { label: 'log loss', values: scored.map((x) => x.c.logLoss ?? null), color: color(5) }],
  }];
  const diagrams = [...names, ...[CROWD_SHARE].filter((n) => r.reliability[n]?.length)].filter((n) => r.reliability[n]?.length);
  diagrams.forEach((n, i) => {
    const bins = r.reliability[n]!;
    charts.push({ kind: 'reliability', id: `chart-reliability-${i}`, meanForecast: bins.map((b) => b.meanForecast), frequency: bins.map((b) => b.frequency), counts: bins.map((b) => b.n), color: color(i) });
  });
  const html = `<p class="muted">Each strategy's last forecast while a narrative was open, scored against how it resolved (refunds left out). The crowd's
share of backers, (backers + 1) / (participants + 2), and always 0.5 are scored on the narratives the ensemble was scored on. Brier: 0 is perfect,
0.25 is always 0.5. Log loss: ln 2 ≈ 0.693 is always 0.5 (forecasts clipped to [0.0001, 0.9999]).</p>
${table(['forecaster', 'narratives', 'Brier', 'log loss', 'right side of 0.5'], rows)}
${chartDiv('chart-scores')}
<h3>Reliability</h3><p class="muted">Forecasts in ten bins: the mean forecast of a bin against how often its narratives resolved TRUE. On the dashed
diagonal a forecaster is calibrated; the bars count the forecasts in each bin.</p>
<div class="grid">${diagrams.map((n, i) => `<div><h3>${esc(n)}</h3>${chartDiv(`chart-reliability-${i}`)}</div>`).join('')}</div>`;
  return { id: 'calibration', title: 'Calibration', html, charts };
}

function categories({ main }: ReportInput): ReportSection {
  const cats = main.result.pnlByCategory;
  if (cats.length === 0) return { id: 'categories', title: 'P&L by category', html: '<p class="muted">No position settled.</p>', charts: [] };
  const rows = cats.map((c) => [esc(c.category), sol(c.pnlLamports), String(c.settled), pct(c.settled ? c.won / c.settled : null), sol(c.stakedLamports, 2)]);
  const chart: BarChartSpec = { kind: 'bars', id: 'chart-pnl-category', labels: cats.map((c) => c.category), yLabel: 'SOL', series: [{ label: 'realised P&L', values: cats.map((c) => lamportsToSol(c.pnlLamports)), color: color(2) }] };
  return { id: 'categories', title: 'P&L by category', html: `${chartDiv('chart-pnl-category')}${table(['category', 'P&amp;L (SOL)', 'settled', 'won', 'staked (SOL)'], rows)}`, charts: [chart] };
}

function sweep({ sweep: sw }: ReportInput): ReportSection | null {
  if (!sw) return null;
  const info = METRIC_INFO[sw.metric];
  const d = info.decimals;
  const wf = sw.walkForward;
  const head = wf ? ['settings', 'out of sample', 'in sample', 'gap', 'chosen in folds', 'whole recording'] : ['settings', 'whole recording', 'P&amp;L (SOL)', 'backings', 'deepest drawdown'];
  const rows = sw.rows.map((r) => [
    ...(wf
      ? [esc(r.label), num(r.outOfSample, d), num(r.inSample, d), num(r.gap, d), `${r.chosen}/${wf.k}`, num(r.whole, d)]
      : [esc(r.label), num(r.whole, d), sol(r.wholeMetrics.pnlLamports), String(r.wholeMetrics.backings), sol(r.wholeMetrics.maxDrawdownLamports)]),
    r.label === sw.best.label ? 'best' : '',
  ]);
  const chart: BarChartSpec = {
    // Bars named by their values alone (the keys are the same for every bar and named above the chart).
    kind: 'bars', id: 'chart-sweep', labels: sw.rows.map((r) => Object.values(r.settings).map((v) => JSON.stringify(v)).join(' · ')), yLabel: info.label, decimals: d,
    series: wf
      ? [{ label: 'out of sample', values: sw.rows.map((r) => r.outOfSample), color: color(1) }, { label: 'in sample', values: sw.rows.map((r) => r.inSample), color: color(7) }]
      : [{ label: 'whole recording (in sample)', values: sw.rows.map((r) => r.whole), color: color(1) }],
  };
  const folds = wf
    ? `<h3>Walk-forward folds</h3>${table(['fold', 'chosen on', 'judged on', 'chosen', 'in sample', 'out of sample'], wf.folds.map((f) => [
      String(f.index), `${new Date(f.inSample.fromMs).toISOString().slice(0, 16)} – ${new Date(f.inSample.toMs).toISOString().slice(0, 16)}`,
      `${new Date(f.outOfSample.fromMs).toISOString().slice(0, 16)} – ${new Date(f.outOfSample.toMs).toISOString().slice(0, 16)}`,
      esc(f.chosen), num(f.inSampleValue, d), num(f.outOfSampleValue, d),
    ]), (i) => i >= 4)}<p>Choosing on each fold's past earned <b>${num(wf.outOfSample, d)}</b> out of sample (in sample ${num(wf.inSample, d)}, gap ${num(wf.gap, d)}).</p>`
    : '<p class="warn">⚠ Every setting is judged on the data it was chosen on: the best figure is optimistic. Add <code>--walk-forward K</code>.</p>';
  const html = `<p class="muted">Metric: ${esc(info.label)} (${info.higherIsBetter ? 'higher' : 'lower'} is better). ${sw.rows.length} settings over ${esc(sw.keys.join(', '))}, on ${sw.workers} worker thread(s), ${(sw.wallMs / 1000).toFixed(1)} s.
Each bar is named by its values: ${esc(sw.keys.join(' · '))}.</p>
${chartDiv('chart-sweep')}${table(head, rows)}${folds}
<h3>Best settings</h3><p>${esc(sw.best.basis)}.</p><pre>${esc(sw.best.snippet)}</pre>`;
  return { id: 'sweep', title: 'Sweep', html, charts: [chart] };
}

function skips({ main }: ReportInput): ReportSection {
  const reasons = main.result.skipReasons;
  if (reasons.length === 0) return { id: 'skips', title: 'Why narratives were skipped', html: '<p class="muted">Nothing was skipped.</p>', charts: [] };
  const chart: BarChartSpec = { kind: 'bars', id: 'chart-skips', labels: reasons.map((x) => x.reason), yLabel: 'decisions', decimals: 0, series: [{ label: 'skips', values: reasons.map((x) => x.count), color: color(7) }] };
  return { id: 'skips', title: 'Why narratives were skipped', html: `${chartDiv('chart-skips')}${table(['reason (the first one given)', 'decisions'], reasons.map((x) => [esc(x.reason), String(x.count)]))}`, charts: [chart] };
}

function backings({ main }: ReportInput): ReportSection {
  const backs = main.result.summary.backs;
  const rows = backs.map((b) => [esc(b.at.slice(0, 16)), esc(b.category), esc(b.title), b.pTrue.toFixed(3), b.edge.toFixed(3), formatSol(b.stakeLamports, 3)]);
  return { id: 'backings', title: 'Latest backings', html: backs.length ? table(['time', 'category', 'narrative', 'pTrue', 'edge', 'stake'], rows, (i) => i >= 3) : '<p class="muted">none</p>', charts: [] };
}

/** The page, in order. */
export const REPORT_SECTIONS: ReadonlyArray<(input: ReportInput) => ReportSection | null> = [overview, equity, strategies, calibration, truthAndWeights, categories, sweep, skips, backings];
