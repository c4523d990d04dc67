// What a run saw and decided, read back from the SQLite store: for the demo's closing summary and for operators.
// Records that extend a run (seen_count) count as often as they were seen.
import type { RunSummary } from '../ports/read-model.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { reasonKind } from '../core/reason-kind.js';

export type { RunSummary } from '../ports/read-model.js';

export function runSummary(store: SqliteStore, limit = 10): RunSummary {
  store.flushRuns();
  const db = store.db;
  const one = (sql: string) => Number(db.prepare(sql).pluck().get() ?? 0);
  const skipReasons = db.prepare(`SELECT reasons_json, seen_count FROM decisions WHERE action = 'skip'`).all() as Array<{ reasons_json: string; seen_count: number }>;
  const counts = new Map<string, number>();
  for (const { reasons_json, seen_count } of skipReasons) {
    // Reasons put their particulars in parentheses: group on what comes before.
    const key = reasonKind((JSON.parse(reasons_json) as string[])[0] ?? 'unknown');
    counts.set(key, (counts.get(key) ?? 0) + seen_count);
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
    opinions: one(`SELECT COALESCE(SUM(seen_count), 0) FROM opinions`),
    strategyErrors: one('SELECT COALESCE(SUM(seen_count), 0) FROM opinions WHERE error IS NOT NULL'),
    decisions: { back: one(`SELECT COUNT(*) FROM decisions WHERE action = 'back'`), skip: one(`SELECT COALESCE(SUM(seen_count), 0) FROM decisions WHERE action = 'skip'`) },
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
