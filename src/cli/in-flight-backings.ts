// What `status` says about live backings in flight, read from the agent's database (read-only; nothing when there is
// none yet): how many, and each one no RPC answer could prove expired, which the agent never signs again and which
// the operator has to look at.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';

export interface InFlightBackings {
  count: number;
  unprovable: Array<{ narrativeId: string; signature: string | null; state: string; since: string; why: string }>;
}

export function inFlightBackings(dbPath: string): InFlightBackings | null {
  if (!existsSync(dbPath)) return null;
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    const rows = db.prepare(`SELECT narrative_id, signature, state, updated_at, error FROM backings
                             WHERE dry_run = 0 AND state IN ('intent', 'signed', 'sent', 'confirmed') ORDER BY id`).all() as Array<{ narrative_id: string; signature: string | null; state: string; updated_at: string; error: string | null }>;
    return {
      count: rows.length,
      unprovable: rows.filter((r) => r.error?.startsWith('cannot prove')).map((r) => ({ narrativeId: r.narrative_id, signature: r.signature, state: r.state, since: r.updated_at, why: r.error! })),
    };
  } catch {
    return null; // an older or locked database: status goes on without this part
  } finally {
    db?.close();
  }
}
