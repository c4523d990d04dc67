// When the last tick in a database started (ms), read without migrating or locking it; null when there is none.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';

export function lastTickAt(path: string): number | null {
  if (!existsSync(path)) return null;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const hasTicks = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ticks'`).get();
    if (!hasTicks) return null;
    const at = db.prepare('SELECT MAX(started_at) FROM ticks').pluck().get() as string | null;
    return at ? Date.parse(at) : null;
  } finally {
    db.close();
  }
}
