// The report's section on forecasts measured against the truth (issue 17): per strategy and the ensemble, Brier,
// log loss, the Bayes-optimal forecast's Brier on the same narratives and decision times, and their ratio, overall
// and on price narratives; and the ensemble's learned weights. One entry of REPORT_SECTIONS (tables, no charts).
import type { EnsembleWeightsView } from '../core/learned-ensemble.js';
import { esc, type ReportInput, type ReportSection } from './report-model.js';
import type { ForecastScore, TruthScores } from './truth-scores.js';

const f = (x: number | undefined, d = 4) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));

function rows(scores: Record<string, ForecastScore>): string {
  return Object.entries(scores).sort((a, b) => a[1].bayesRatio - b[1].bayesRatio)
    .map(([name, s]) => `<tr><td>${esc(name)}</td><td>${s.narratives}</td><td>${s.n}</td><td>${f(s.brier)}</td><td>${f(s.logLoss)}</td><td>${f(s.bayesBrier)}</td><td><b>${f(s.bayesRatio, 3)}</b></td><td>${name === 'ensemble' ? '' : f(s.ensembleBrier ?? undefined)}</td></tr>`)
    .join('') || '<tr><td colspan="8" class="muted">no scored forecasts</td></tr>';
}

const HEAD = '<tr><th>strategy</th><th>narratives</th><th>forecasts</th><th>Brier</th><th>log loss</th><th>Bayes Brier</th><th title="bayesRatio = Brier / Bayes Brier">bayesRatio</th><th>ensemble&#39;s Brier on the same forecasts</th></tr>';

/** The section: null when the run was scored against no truth file and learned no weights. */
export function truthAndWeights({ main }: ReportInput): ReportSection | null {
  const html = truthSectionHtml(main.result.truth) + ensembleWeightsHtml(main.result.ensembleWeights);
  return html ? { id: 'truth', title: 'Forecasts against the truth, ensemble weights', html, charts: [] } : null;
}

function truthSectionHtml(truth: TruthScores | undefined): string {
  if (!truth) return '';
  return `<h3>Against the truth (Bayes-optimal forecasts at the same decision times)</h3>
<p class="muted">Every poll at which a narrative was open for backing is a decision time; the truth is what the simulated world itself knew then. A bayesRatio of 1 is the best any forecast can do.</p>
<h4>All narratives</h4><table>${HEAD}${rows(truth.overall)}</table>
<h4>Price narratives</h4><table>${HEAD}${rows(truth.price)}</table>`;
}

/** The learning ensemble's weights at the end of the replay: per category, who leads, weights and calibrators. */
function ensembleWeightsHtml(view: EnsembleWeightsView | null | undefined): string {
  if (!view || view.groups.length === 0) return '';
  const body = view.groups.map((g) => `<tr><td>${esc(g.category === '*' ? 'all categories' : g.category)}</td><td>${g.narratives}</td><td>${esc(g.lead)}</td><td>${f(g.scale, 2)}</td>${g.strategies
    .map((s) => `<td>${esc(s.strategy)} ${f(s.weight, 2)} <span class="muted">(a ${f(s.a, 2)}, b ${f(s.b, 2)}${s.calibrated ? '; calibrated when alone' : ''})</span></td>`).join('')}</tr>`).join('');
  return `<h3>Ensemble weights (learned from settled outcomes)</h3>
<p class="muted">Per category: settled narratives learned from; who forecasts where several strategies spoke (the sharpest of them, or the pool or a strategy that beat it out of sample by more than chance); the pool's scale; each strategy's weight with its calibration a + b·logit(p), used alone only once it beat the strategy's own forecast.</p>
<table><tr><th>category</th><th>narratives</th><th>lead</th><th>scale</th><th colspan="${view.groups[0]!.strategies.length}">strategy weight (calibration)</th></tr>${body}</table>`;
}
