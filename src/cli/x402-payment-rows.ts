// What `history` shows of the x402 payment journal, read from the agent's database (read-only; nothing when there is
// none yet, or when it predates the journal).
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { X402PaymentRecord } from '../ports/x402-payer.js';
import { LATEST_X402_PAYMENTS_SQL, toX402Payment, type X402PaymentRow } from '../store/x402-payments.js';

export function x402PaymentRows(dbPath: string, limit = 20): X402PaymentRecord[] {
  if (!existsSync(dbPath)) return [];
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    return (db.prepare(LATEST_X402_PAYMENTS_SQL).all(limit) as X402PaymentRow[]).map(toX402Payment);
  } catch {
    return []; // an older database without the journal, or a locked one: history goes on without it
  } finally {
    db?.close();
  }
}
