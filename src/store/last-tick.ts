// When the last tick in a database started (ms), read without migrating or locking it; null when there is none (or
// the file cannot be opened: the store's own open then says why).
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';

export function lastTickAt(path: string): number | null {
  if (!existsSync(path)) return null;
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch {
    return null; // unreadable here: opening the store says why, and what to do
  }
  try {
    const hasTicks = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ticks'`).get();
    if (!hasTicks) return null;
    const at = db.prepare('SELECT MAX(started_at) FROM ticks').pluck().get() as string | null;
    return at ? Date.parse(at) : null;
  } finally {
    db.close();
  }
}
