// The run read model over SQLite (calibration and P&L; the run summary is in run-summary.ts): what the daemon's
// database answers about a run, for the demo, status and metrics.
import { calibrate, type Calibration } from '../core/calibration.js';
import type { PnlSummary } from '../ports/read-model.js';
import type { SqliteStore } from '../store/sqlite-store.js';

export type { PnlSummary } from '../ports/read-model.js';

/** Scores each strategy's last forecast while open (a record's latest probability: last_p_true of its run). */
export function calibrationByStrategy(store: SqliteStore): Record<string, Calibration> {
  store.flushRuns();
  const rows = store.db
    .prepare(`SELECT op.strategy, COALESCE(op.last_p_true, op.p_true) AS p_true, oc.outcome
              FROM opinions op JOIN narratives n ON n.nid = op.nid
                JOIN outcomes oc ON oc.narrative_id = n.id AND oc.outcome IN ('true', 'false')
              WHERE op.id = (SELECT MAX(o2.id) FROM opinions o2
                             WHERE o2.nid = op.nid AND o2.strategy = op.strategy
                               AND o2.p_true IS NOT NULL AND o2.oracle_status IN ('open', 'live'))`)
    .all() as Array<{ strategy: string; p_true: number; outcome: 'true' | 'false' }>;
  // The ensemble's forecast is the probability of the last backing decision made while the narrative was open.
  const ensemble = store.db
    .prepare(`SELECT COALESCE(d.last_p_true, d.p_true) AS p_true, oc.outcome FROM decisions d JOIN outcomes oc ON oc.narrative_id = d.narrative_id AND oc.outcome IN ('true', 'false')
              WHERE d.id = (SELECT MAX(d2.id) FROM decisions d2 WHERE d2.narrative_id = d.narrative_id AND d2.kind = 'back'
                              AND d2.p_true IS NOT NULL AND d2.reasons_json NOT LIKE '["not open for backing%')`)
    .all() as Array<{ p_true: number; outcome: 'true' | 'false' }>;
  return calibrationOf([
    ...rows.map((r) => ({ strategy: r.strategy, pTrue: r.p_true, outcome: r.outcome === 'true' })),
    ...ensemble.map((r) => ({ strategy: 'ensemble', pTrue: r.p_true, outcome: r.outcome === 'true' })),
  ]);
}

/** Groups scored forecasts by strategy and calibrates each group. */
export function calibrationOf(rows: Iterable<{ strategy: string; pTrue: number; outcome: boolean }>): Record<string, Calibration> {
  const byStrategy = new Map<string, Array<{ pTrue: number; outcome: boolean }>>();
  for (const r of rows) {
    const list = byStrategy.get(r.strategy) ?? [];
    list.push({ pTrue: r.pTrue, outcome: r.outcome });
    byStrategy.set(r.strategy, list);
  }
  return Object.fromEntries([...byStrategy.entries()].map(([name, list]) => [name, calibrate(list)]));
}

/** Settled and open positions of the store's ledger. */
export function pnlSummary(store: SqliteStore): PnlSummary {
  const dry = store.ledger === 'dry-run' ? 1 : 0;
  const settled = store
    .prepare(`SELECT outcome, COUNT(*) AS n, COALESCE(SUM(pnl_lamports), 0) AS pnl FROM backings WHERE dry_run = ? AND outcome IS NOT NULL GROUP BY outcome`)
    .safeIntegers(true)
    .all(dry) as Array<{ outcome: string; n: bigint; pnl: bigint }>;
  const open = store
    .prepare(`SELECT COUNT(*) AS n, COALESCE(SUM(stake_lamports), 0) AS stake FROM backings
              WHERE dry_run = ? AND outcome IS NULL AND state NOT IN ('failed', 'expired', 'cancelled')`)
    .safeIntegers(true)
    .get(dry) as { n: bigint; stake: bigint };
  const count = (o: string) => Number(settled.find((s) => s.outcome === o)?.n ?? 0n);
  return {
    settled: count('true') + count('false') + count('refund'),
    won: count('true'),
    lost: count('false'),
    refunded: count('refund'),
    pnlLamports: settled.reduce((sum, s) => sum + s.pnl, 0n),
    openPositions: Number(open.n),
    openLamports: open.stake,
  };
}

export interface OracleOutcomeSummary {
  /** Outcomes recorded with the oracle's confidence. */
  count: number;
  meanConfidence: number | null;
  minConfidence: number | null;
}

/** How sure MAGMA's oracle was of the outcomes this agent recorded (migration 0010's confidence). */
export function oracleOutcomeSummary(store: SqliteStore): OracleOutcomeSummary {
  const r = store.prepare(`SELECT COUNT(*) AS n, AVG(confidence) AS mean, MIN(confidence) AS lo FROM outcomes WHERE confidence IS NOT NULL`)
    .get() as { n: number; mean: number | null; lo: number | null };
  return { count: r.n, meanConfidence: r.mean, minConfidence: r.lo };
}
