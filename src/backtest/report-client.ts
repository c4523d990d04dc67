// What the report's page does in the browser: it reads the chart specs from the page's JSON and draws each with uPlot
// (inlined into the page, see report-html.ts). Three kinds: time series (cursors synced across every time chart),
// bars over labelled categories, and reliability diagrams (forecast bins against outcome frequency, with the diagonal
// and the count per bin). Hovering shows each value in the chart's legend.

export interface TimeChartSpec {
  kind: 'time';
  id: string;
  /** Seconds since the epoch (uPlot's default time unit). */
  x: number[];
  series: Array<{ label: string; values: Array<number | null>; color: string; axis?: 'left' | 'right'; dash?: boolean; fill?: boolean }>;
  leftLabel: string;
  rightLabel?: string;
  /** Decimals shown in the legend. */
  decimals?: number;
}

export interface BarChartSpec {
  kind: 'bars';
  id: string;
  labels: string[];
  series: Array<{ label: string; values: Array<number | null>; color: string }>;
  yLabel: string;
  decimals?: number;
}

export interface ReliabilityChartSpec {
  kind: 'reliability';
  id: string;
  /** Per non-empty bin: mean forecast, outcome frequency, count. */
  meanForecast: number[];
  frequency: number[];
  counts: number[];
  color: string;
}

export type ChartSpec = TimeChartSpec | BarChartSpec | ReliabilityChartSpec;

/** The page's script, as text (it runs in the browser, not in Node: it may use nothing of ours). */
export const REPORT_CLIENT_JS = String.raw`
(function () {
  'use strict';
  var specs = JSON.parse(document.getElementById('chart-data').textContent);
  var sync = uPlot.sync('backtest-time');
  var utc = function (ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); };
  var fmt = function (d) { return function (u, v) { return v == null ? '–' : Number(v).toFixed(d); }; };
  function width(el) { return Math.max(320, Math.min(el.clientWidth || 760, 1100)); }

  function timeChart(el, s) {
    var d = s.decimals == null ? 3 : s.decimals;
    var series = [{ label: 'time (UTC)', value: '{YYYY}-{MM}-{DD} {HH}:{mm}' }];
    var data = [s.x];
    s.series.forEach(function (x) {
      series.push({ label: x.label, stroke: x.color, width: 1.5, scale: x.axis === 'right' ? 'r' : 'y', value: fmt(x.axis === 'right' ? 0 : d),
        dash: x.dash ? [6, 4] : undefined, fill: x.fill ? x.color + '22' : undefined, points: { show: false } });
      data.push(x.values);
    });
    var axes = [{}, { label: s.leftLabel, scale: 'y', size: 64 }];
    if (s.rightLabel) axes.push({ label: s.rightLabel, scale: 'r', side: 1, grid: { show: false }, size: 56 });
    return new uPlot({ width: width(el), height: 260, tzDate: utc, series: series, axes: axes,
      scales: { x: { time: true } }, cursor: { sync: { key: sync.key, setSeries: true } } }, data, el);
  }

  function barChart(el, s) {
    var d = s.decimals == null ? 3 : s.decimals;
    var n = s.series.length;
    var x = s.labels.map(function (_, i) { return i; });
    var series = [{ label: 'category', value: function (u, v) { return v == null ? '–' : s.labels[v]; } }];
    var data = [x];
    s.series.forEach(function (b, i) {
      var align = n === 1 ? 0 : (i === 0 ? -1 : 1);
      series.push({ label: b.label, stroke: b.color, fill: b.color + 'aa', width: 1, value: fmt(d), points: { show: false },
        paths: uPlot.paths.bars({ size: [n === 1 ? 0.6 : 0.35, 80], align: align }) });
      data.push(b.values);
    });
    var short = function (t) { return t.length > 18 ? t.slice(0, 17) + '…' : t; };
    return new uPlot({ width: width(el), height: 260, series: series,
      // Bars grow from zero: the y range always holds it.
      scales: { x: { time: false, range: function () { return [-0.6, x.length - 0.4]; } },
        y: { range: function (u, lo, hi) { var a = Math.min(0, lo), b = Math.max(0, hi), pad = (b - a) * 0.08; return a === b ? [0, 1] : [a < 0 ? a - pad : 0, b > 0 ? b + pad : 0]; } } },
      axes: [{ values: function (u, vals) { return vals.map(function (v) { return Number.isInteger(v) && s.labels[v] != null ? short(s.labels[v]) : ''; }); },
               splits: function () { return x; }, gap: 6, size: 44 },
             { label: s.yLabel, size: 64 }] }, data, el);
  }

  function reliabilityChart(el, s) {
    // x: mean forecast per bin; the diagonal from (0,0) to (1,1) is drawn as a series with values only at its ends.
    var xs = [0].concat(s.meanForecast, [1]);
    var diag = xs.map(function (v, i) { return i === 0 || i === xs.length - 1 ? v : null; });
    var freq = [null].concat(s.frequency, [null]);
    var counts = [null].concat(s.counts, [null]);
    return new uPlot({ width: Math.min(width(el), 420), height: 300,
      series: [{ label: 'forecast', value: fmt(3) },
        { label: 'perfect calibration', stroke: '#9ca3af', dash: [5, 4], spanGaps: true, points: { show: false }, value: fmt(3) },
        { label: 'outcome frequency', stroke: s.color, width: 2, value: fmt(3), points: { show: true, size: 8, fill: s.color } },
        { label: 'forecasts in bin', scale: 'n', stroke: '#64748b', fill: '#64748b33', value: fmt(0), points: { show: false },
          paths: uPlot.paths.bars({ size: [0.5, 24] }) }],
      scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1] }, n: { range: function (u, lo, hi) { return [0, Math.max(1, hi) * 3]; } } },
      axes: [{ label: 'forecast P(TRUE)' }, { label: 'resolved TRUE', size: 56 }, { scale: 'n', side: 1, grid: { show: false }, label: 'forecasts', size: 48 }] },
      [xs, diag, freq, counts], el);
  }

  var drawn = 0;
  specs.forEach(function (s) {
    var el = document.getElementById(s.id);
    if (!el) return;
    if (s.kind === 'time') timeChart(el, s);
    else if (s.kind === 'bars') barChart(el, s);
    else if (s.kind === 'reliability') reliabilityChart(el, s);
    drawn++;
  });
  document.body.setAttribute('data-charts-drawn', String(drawn));
})();
`;
