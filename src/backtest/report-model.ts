// What the backtest report is made from (its input) and of (sections: HTML and chart specs).
import type { ChartSpec } from './report-client.js';
import type { JobResult } from './backtest-job.js';
import type { SweepSummary } from './sweep.js';

export interface ReportInput {
  title: string;
  /** The backtest of the configured (or chosen) strategies together: the ensemble. */
  main: { label: string; result: JobResult };
  /** Each strategy backtested as the only one (--strategies a,b). */
  solo: Array<{ strategy: string; result: JobResult }>;
  sweep: SweepSummary | null;
  lookahead: { ok: boolean; cut: string } | null;
}

/** One part of the page. A section returns null when it has nothing to show for this backtest. */
export interface ReportSection {
  id: string;
  title: string;
  html: string;
  charts: ChartSpec[];
}

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

