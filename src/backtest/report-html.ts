// The backtest report: one self-contained HTML file that opens offline. Its charts are drawn in the browser by uPlot,
// whose script and stylesheet are read from node_modules when the report is written and inlined into the page (no CDN,
// no second file). The page is a list of sections (report-sections.ts): each gives its HTML and its charts' specs.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { REPORT_CLIENT_JS } from './report-client.js';
import { esc, type ReportInput, type ReportSection } from './report-model.js';
import { REPORT_SECTIONS } from './report-sections.js';

export type { ReportInput, ReportSection } from './report-model.js';

const require = createRequire(import.meta.url);

/** uPlot's minified script and stylesheet, from the installed package. */
function uplotAssets(): { js: string; css: string } {
  const dir = require.resolve('uplot/dist/uPlot.iife.min.js').replace(/uPlot\.iife\.min\.js$/, '');
  return { js: readFileSync(dir + 'uPlot.iife.min.js', 'utf8'), css: readFileSync(dir + 'uPlot.min.css', 'utf8') };
}

/** Text safe inside a <script> element (no "</script>", no "<!--"). */
const scriptSafe = (text: string) => text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

export function backtestReportHtml(input: ReportInput): string {
  const sections = REPORT_SECTIONS.map((build) => build(input)).filter((s): s is ReportSection => s !== null);
  const charts = sections.flatMap((s) => s.charts);
  const { js, css } = uplotAssets();
  const nav = sections.map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join(' · ');
  const data = JSON.stringify(charts).replace(/</g, '\\u003c');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(input.title)}</title>
<style>${css}</style>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1f2937}
h1{font-size:1.4rem}h2{border-bottom:1px solid #e5e7eb;padding-bottom:.3rem;margin-top:2.2rem}h3{margin:1.2rem 0 .4rem}
nav{font-size:.9rem;margin:.5rem 0 1rem}nav a{color:#c2410c;text-decoration:none}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border-bottom:1px solid #f1f1f1;padding:.3rem .4rem;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}tr.best td{background:#fff7ed}
.cards{display:flex;flex-wrap:wrap;gap:.6rem}.cards div{border:1px solid #e5e7eb;border-radius:6px;padding:.5rem .8rem;min-width:140px}
.cards b{display:block;font-size:1.2rem}.warn{background:#fff7ed;border:1px solid #fdba74;padding:.4rem .6rem;border-radius:6px}
.cards span,.muted{color:#6b7280;font-size:.85rem}.grid{display:flex;flex-wrap:wrap;gap:1rem}.grid>div{flex:1 1 400px}
.chart{min-height:40px}pre{background:#f8fafc;border:1px solid #e5e7eb;padding:.6rem;border-radius:6px;overflow:auto}
</style></head><body>
<h1>${esc(input.title)}</h1>
<p class="muted">A backtest replays a recorded feed through the same engine as live, in dry-run. P&amp;L follows the configured payout rule.
Hover a chart to read its values; the time charts share one cursor.</p>
<nav>${nav}</nav>
${sections.map((s) => `<section id="${s.id}"><h2>${esc(s.title)}</h2>\n${s.html}\n</section>`).join('\n')}
<script type="application/json" id="chart-data">${data}</script>
<script>${scriptSafe(js)}</script>
<script>${scriptSafe(REPORT_CLIENT_JS)}</script>
</body></html>
`;
}
