// A self-contained HTML report of a backtest (no scripts, no external files): headline figures, the equity curve,
// calibration per strategy, why narratives were skipped, and the latest backings. Sweeps add a comparison table.
import { formatSol, lamportsToSol } from '../core/money.js';
import type { BacktestResult } from './run-backtest.js';
import { ensembleWeightsHtml, truthSectionHtml } from './report-truth.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function equitySvg(r: BacktestResult): string {
  const pts = r.equity;
  if (pts.length < 2) return '<p class="muted">Not enough points for a curve.</p>';
  const w = 760, h = 220, pad = 36;
  const xs = pts.map((p) => Date.parse(p.t));
  const ys = pts.map((p) => lamportsToSol(p.realisedLamports));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(0, ...ys), Math.max(0, ...ys)];
  const sx = (x: number) => pad + ((x - x0) / Math.max(1, x1 - x0)) * (w - 2 * pad);
  const sy = (y: number) => h - pad - ((y - y0) / Math.max(1e-9, y1 - y0)) * (h - 2 * pad);
  const path = pts.map((_, i) => `${i ? 'L' : 'M'}${sx(xs[i]!).toFixed(1)},${sy(ys[i]!).toFixed(1)}`).join(' ');
  return `<svg viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-label="realised profit and loss over time">
  <line x1="${pad}" x2="${w - pad}" y1="${sy(0)}" y2="${sy(0)}" stroke="#999" stroke-dasharray="4 3"/>
  <path d="${path}" fill="none" stroke="#c2410c" stroke-width="2"/>
  <text x="${pad}" y="${pad - 12}" font-size="12">${y1.toFixed(3)} SOL</text>
  <text x="${pad}" y="${h - 8}" font-size="12">${esc(pts[0]!.t.slice(0, 16))}</text>
  <text x="${w - pad}" y="${h - 8}" font-size="12" text-anchor="end">${esc(pts[pts.length - 1]!.t.slice(0, 16))}</text>
  <text x="${pad}" y="${h - pad + 14}" font-size="12">${y0.toFixed(3)} SOL</text>
</svg>`;
}

function section(label: string, r: BacktestResult): string {
  const s = r.summary;
  const rows = Object.entries(r.calibration).filter(([, c]) => c.n > 0)
    .map(([name, c]) => `<tr><td>${esc(name)}</td><td>${c.n}</td><td>${c.brier!.toFixed(4)}</td><td>${Math.round(c.hitRate! * 100)}%</td></tr>`).join('');
  const reasons = s.topSkipReasons.map((x) => `<tr><td>${esc(x.reason)}</td><td>${x.count}</td></tr>`).join('');
  const backs = s.backs.map((b) => `<tr><td>${esc(b.at.slice(0, 16))}</td><td>${esc(b.category)}</td><td>${esc(b.title)}</td><td>${b.pTrue.toFixed(3)}</td><td>${b.edge.toFixed(3)}</td><td>${formatSol(b.stakeLamports, 3)}</td></tr>`).join('');
  return `<section><h2>${esc(label)}</h2>
<div class="cards">
  <div><b>${formatSol(r.pnl.pnlLamports, 3)}</b><span>realised P&amp;L on ${formatSol(r.bankrollLamports, 0)}</span></div>
  <div><b>${r.pnl.settled}</b><span>settled (${r.pnl.won} won, ${r.pnl.lost} lost, ${r.pnl.refunded} refunded)</span></div>
  <div><b>${s.decisions.back}</b><span>backings, ${formatSol(s.stakedLamports, 2)} staked</span></div>
  <div><b>${r.pnl.openPositions}</b><span>still open (${formatSol(r.pnl.openLamports, 2)})</span></div>
  <div><b>${r.recording.polls}</b><span>polls replayed${r.failedTicks ? `, ${r.failedTicks} failed` : ''}</span></div>
</div>
${r.warnings.map((w) => `<p class="warn">⚠ ${esc(w)}</p>`).join('')}
<h3>Realised profit and loss</h3>${equitySvg(r)}
<h3>Calibration (Brier score, lower is better; always 0.5 scores 0.250)</h3>
<table><tr><th>strategy</th><th>narratives</th><th>Brier</th><th>right side of 0.5</th></tr>${rows || '<tr><td colspan="4" class="muted">no resolved narratives</td></tr>'}</table>
${truthSectionHtml(r.truth) /* issue 17 */}${ensembleWeightsHtml(r.ensembleWeights)}
<h3>Why narratives were skipped</h3><table><tr><th>reason</th><th>decisions</th></tr>${reasons}</table>
<h3>Latest backings</h3><table><tr><th>time</th><th>category</th><th>narrative</th><th>pTrue</th><th>edge</th><th>stake</th></tr>${backs || '<tr><td colspan="6" class="muted">none</td></tr>'}</table>
</section>`;
}

export function backtestReportHtml(title: string, runs: Array<{ label: string; result: BacktestResult }>): string {
  const sweep = runs.length > 1
    ? `<section><h2>Sweep</h2><table><tr><th>run</th><th>P&amp;L</th><th>backings</th><th>settled</th><th>ensemble Brier</th></tr>${runs
      .map(({ label, result: r }) => `<tr><td>${esc(label)}</td><td>${formatSol(r.pnl.pnlLamports, 3)}</td><td>${r.summary.decisions.back}</td><td>${r.pnl.settled}</td><td>${r.calibration.ensemble?.brier?.toFixed(4) ?? '–'}</td></tr>`)
      .join('')}</table></section>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:820px;color:#1f2937}
h1{font-size:1.4rem}h2{border-bottom:1px solid #e5e7eb;padding-bottom:.3rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td:first-child,td:last-child{white-space:nowrap}td,th{border-bottom:1px solid #f1f1f1;padding:.3rem .4rem;text-align:left}
.cards{display:flex;flex-wrap:wrap;gap:.6rem}.cards div{border:1px solid #e5e7eb;border-radius:6px;padding:.5rem .8rem;min-width:140px}
.cards b{display:block;font-size:1.2rem}.warn{background:#fff7ed;border:1px solid #fdba74;padding:.4rem .6rem;border-radius:6px}.cards span,.muted{color:#6b7280;font-size:.85rem}
</style></head><body><h1>${esc(title)}</h1>
<p class="muted">A backtest replays a recorded feed through the same engine as live, in dry-run. P&amp;L follows the configured payout rule.</p>
${sweep}${runs.map(({ label, result }) => section(label, result)).join('\n')}
</body></html>
`;
}
