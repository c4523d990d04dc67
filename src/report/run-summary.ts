// What a run saw and decided, read back from the store: for the demo's closing summary and for operators.
import type { SqliteStore } from '../store/sqlite-store.js';

export interface RunSummary {
  ticks: { ok: number; failed: number };
  narratives: number;
  snapshots: number;
  opinions: number;
  strategyErrors: number;
  decisions: { back: number; skip: number };
  stakedLamports: bigint;
  topSkipReasons: Array<{ reason: string; count: number }>;
  backs: Array<{ narrativeId: string; title: string; category: string; pTrue: number; edge: number; stakeLamports: bigint; at: string }>;
  apiCalls: { total: number; errors: number; rateLimited: number };
}

export function runSummary(store: SqliteStore, limit = 10): RunSummary {
  const db = store.db;
  const one = (sql: string) => Number(db.prepare(sql).pluck().get() ?? 0);
  const skipReasons = db.prepare(`SELECT reasons_json FROM decisions WHERE action = 'skip'`).pluck().all() as string[];
  const counts = new Map<string, number>();
  for (const json of skipReasons) {
    const first = (JSON.parse(json) as string[])[0] ?? 'unknown';
    // Reasons put their particulars in parentheses: group on what comes before.
    const key = first.split(' (')[0]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const backs = db
    .prepare(`SELECT d.narrative_id, n.title, n.category, d.p_true, d.edge, d.stake_lamports, d.created_at
              FROM decisions d JOIN narratives n ON n.id = d.narrative_id
              WHERE d.action = 'back' ORDER BY d.id DESC LIMIT ?`)
    .safeIntegers(true)
    .all(limit) as Array<{ narrative_id: string; title: string; category: string; p_true: number; edge: number; stake_lamports: bigint; created_at: string }>;
  return {
    ticks: { ok: one(`SELECT COUNT(*) FROM ticks WHERE status = 'ok'`), failed: one(`SELECT COUNT(*) FROM ticks WHERE status = 'failed'`) },
    narratives: one('SELECT COUNT(*) FROM narratives'),
    snapshots: one('SELECT COUNT(*) FROM narrative_snapshots'),
    opinions: one(`SELECT COUNT(*) FROM opinions WHERE strategy != 'ensemble'`),
    strategyErrors: one('SELECT COUNT(*) FROM opinions WHERE error IS NOT NULL'),
    decisions: { back: one(`SELECT COUNT(*) FROM decisions WHERE action = 'back'`), skip: one(`SELECT COUNT(*) FROM decisions WHERE action = 'skip'`) },
    stakedLamports: db.prepare(`SELECT COALESCE(SUM(stake_lamports), 0) FROM decisions WHERE action = 'back'`).safeIntegers(true).pluck().get() as bigint,
    topSkipReasons: [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([reason, count]) => ({ reason, count })),
    backs: backs.map((b) => ({
      narrativeId: b.narrative_id, title: b.title, category: b.category, pTrue: Number(b.p_true), edge: Number(b.edge),
      stakeLamports: b.stake_lamports, at: b.created_at,
    })),
    apiCalls: {
      total: one('SELECT COUNT(*) FROM api_calls'),
      errors: one('SELECT COUNT(*) FROM api_calls WHERE status IS NULL OR status >= 400'),
      rateLimited: one('SELECT COUNT(*) FROM api_calls WHERE status = 429'),
    },
  };
}
