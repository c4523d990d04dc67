// Each strategy's and the ensemble's calibration on narratives whose outcome is known: the last forecast each gave
// while the narrative was still open for backing, scored against the outcome (Brier; refunds are left out).
import { calibrate, type Calibration } from '../core/calibration.js';
import type { SqliteStore } from '../store/sqlite-store.js';

export function calibrationByStrategy(store: SqliteStore): Record<string, Calibration> {
  const rows = store.db
    .prepare(`SELECT op.strategy, op.p_true, oc.outcome
              FROM opinions op JOIN outcomes oc ON oc.narrative_id = op.narrative_id AND oc.outcome IN ('true', 'false')
              WHERE op.id = (SELECT MAX(o2.id) FROM opinions o2
                             WHERE o2.narrative_id = op.narrative_id AND o2.strategy = op.strategy
                               AND o2.p_true IS NOT NULL AND o2.oracle_status IN ('open', 'live'))`)
    .all() as Array<{ strategy: string; p_true: number; outcome: 'true' | 'false' }>;
  const byStrategy = new Map<string, Array<{ pTrue: number; outcome: boolean }>>();
  for (const r of rows) {
    const list = byStrategy.get(r.strategy) ?? [];
    list.push({ pTrue: r.p_true, outcome: r.outcome === 'true' });
    byStrategy.set(r.strategy, list);
  }
  return Object.fromEntries([...byStrategy.entries()].map(([name, list]) => [name, calibrate(list)]));
}

export interface PnlSummary {
  settled: number;
  won: number;
  lost: number;
  refunded: number;
  pnlLamports: bigint;
  openPositions: number;
  openLamports: bigint;
}

export function pnlSummary(store: SqliteStore, dryRun: boolean): PnlSummary {
  const settled = store.db
    .prepare(`SELECT outcome, COUNT(*) AS n, COALESCE(SUM(pnl_lamports), 0) AS pnl FROM backings WHERE dry_run = ? AND outcome IS NOT NULL GROUP BY outcome`)
    .safeIntegers(true)
    .all(dryRun ? 1 : 0) as Array<{ outcome: string; n: bigint; pnl: bigint }>;
  const open = store.db
    .prepare(`SELECT COUNT(*) AS n, COALESCE(SUM(stake_lamports), 0) AS stake FROM backings
              WHERE dry_run = ? AND outcome IS NULL AND state NOT IN ('failed', 'expired', 'cancelled')`)
    .safeIntegers(true)
    .get(dryRun ? 1 : 0) as { n: bigint; stake: bigint };
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
