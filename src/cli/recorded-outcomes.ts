// Outcomes the agent recorded, with the oracle's confidence and the sources it weighed (migration 0010), read from
// its database read-only for `status` and `history` (nothing when there is no database yet, or an older one).
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { OracleSource } from '../ports/magma-api.js';

export interface RecordedOutcome {
  narrativeId: string;
  outcome: string;
  source: string;
  confidence: number | null;
  sources: OracleSource[];
  resolvedAt: string | null;
  recordedAt: string;
}

interface Row { narrative_id: string; outcome: string; source: string; confidence: number | null; sources_json: string | null; resolved_at: string | null; recorded_at: string }

function toOutcome(r: Row): RecordedOutcome {
  let sources: OracleSource[] = [];
  try {
    const parsed: unknown = r.sources_json ? JSON.parse(r.sources_json) : [];
    if (Array.isArray(parsed)) sources = parsed as OracleSource[];
  } catch {
    sources = [];
  }
  return { narrativeId: r.narrative_id, outcome: r.outcome, source: r.source, confidence: r.confidence, sources, resolvedAt: r.resolved_at, recordedAt: r.recorded_at };
}

/** The latest `limit` outcomes, or those of `narrativeIds`; null without a database that has them. */
export function recordedOutcomes(dbPath: string, o: { limit?: number; narrativeIds?: readonly string[] }): RecordedOutcome[] | null {
  if (!existsSync(dbPath)) return null;
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    const cols = 'narrative_id, outcome, source, confidence, sources_json, resolved_at, recorded_at';
    const rows = o.narrativeIds
      ? (o.narrativeIds.length ? db.prepare(`SELECT ${cols} FROM outcomes WHERE narrative_id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(o.narrativeIds)) : [])
      : db.prepare(`SELECT ${cols} FROM outcomes ORDER BY recorded_at DESC, narrative_id LIMIT ?`).all(o.limit ?? 5);
    return (rows as Row[]).map(toOutcome);
  } catch {
    return null; // an older or locked database: the command goes on without this part
  } finally {
    db?.close();
  }
}

/** "true, oracle 92% (price_feed 30%, ai_model_a 25%, …)" — how sure the settlement was, in one cell. */
export function describeOutcome(o: RecordedOutcome): string {
  const conf = o.confidence === null ? '' : `, ${o.source} ${Math.round(o.confidence * 100)}%`;
  const names = o.sources.slice(0, 4).map((s) => (s.weight === null ? s.name : `${s.name} ${Math.round(s.weight * 100)}%`));
  return `${o.outcome}${conf}${names.length ? ` (${names.join(', ')}${o.sources.length > 4 ? ', …' : ''})` : ''}`;
}
