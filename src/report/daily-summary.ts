// The line an operator reads each morning: what the agent did on one UTC day.
import type { SqliteStore } from '../store/sqlite-store.js';

export interface DailySummary {
  day: string;
  ticks: number;
  failedTicks: number;
  backs: number;
  skips: number;
  stakedLamports: bigint;
  settled: number;
  pnlLamports: bigint;
  resolutions: number;
}

export function dailySummary(store: SqliteStore, dayStartIso: string): DailySummary {
  const end = new Date(Date.parse(dayStartIso) + 86_400_000).toISOString();
  const db = store.db;
  const ticks = db.prepare(`SELECT status, COUNT(*) AS n FROM ticks WHERE started_at >= ? AND started_at < ? GROUP BY status`).all(dayStartIso, end) as Array<{ status: string; n: number }>;
  const decisions = db.prepare(`SELECT action, COUNT(*) AS n, COALESCE(SUM(stake_lamports), 0) AS stake FROM decisions WHERE kind = 'back' AND created_at >= ? AND created_at < ? GROUP BY action`)
    .safeIntegers(true).all(dayStartIso, end) as Array<{ action: string; n: bigint; stake: bigint }>;
  const settled = db.prepare(`SELECT COUNT(*) AS n, COALESCE(SUM(pnl_lamports), 0) AS pnl FROM backings WHERE outcome IS NOT NULL AND updated_at >= ? AND updated_at < ?`)
    .safeIntegers(true).get(dayStartIso, end) as { n: bigint; pnl: bigint };
  const resolutions = db.prepare(`SELECT COUNT(*) FROM resolutions WHERE created_at >= ? AND created_at < ?`).pluck().get(dayStartIso, end) as number;
  const back = decisions.find((d) => d.action === 'back');
  return {
    day: dayStartIso.slice(0, 10),
    ticks: ticks.reduce((a, t) => a + t.n, 0),
    failedTicks: ticks.find((t) => t.status === 'failed')?.n ?? 0,
    backs: Number(back?.n ?? 0n),
    skips: Number(decisions.find((d) => d.action === 'skip')?.n ?? 0n),
    stakedLamports: back?.stake ?? 0n,
    settled: Number(settled.n),
    pnlLamports: settled.pnl,
    resolutions,
  };
}
