// The x402 payment journal (migration 0011) over the agent's SQLite store: a row per 402 met, written before the paid
// request leaves; what today's payments add up to (the daily cap); the latest rows for `history`.
import type { X402PaymentRecord } from '../ports/x402-payer.js';
import type { SqliteStore } from './sqlite-store.js';

export type NewX402Payment = Omit<X402PaymentRecord, 'id' | 'response' | 'tx' | 'settledAt'>;

export interface X402PaymentRow {
  id: number; at: string; route: string; resource: string | null; x402_version: number | null; network: string | null;
  asset: string | null; pay_to: string | null; amount: string | null; usd: number; state: X402PaymentRecord['state'];
  reason: string | null; challenge_json: string | null; response_json: string | null; tx: string | null; settled_at: string | null;
}

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

export const LATEST_X402_PAYMENTS_SQL = 'SELECT * FROM x402_payments ORDER BY id DESC LIMIT ?';

export function toX402Payment(r: X402PaymentRow): X402PaymentRecord {
  return {
    id: r.id, at: r.at, route: r.route, resource: r.resource, x402Version: r.x402_version, network: r.network, asset: r.asset,
    payTo: r.pay_to, amount: r.amount, usd: r.usd, state: r.state, reason: r.reason, challenge: parse(r.challenge_json),
    response: parse(r.response_json), tx: r.tx, settledAt: r.settled_at,
  };
}

export class X402Payments {
  constructor(private readonly store: SqliteStore) {}

  record(p: NewX402Payment): number {
    return this.store.runWrite(() => Number(this.store.prepare(`INSERT INTO x402_payments
      (at, route, resource, x402_version, network, asset, pay_to, amount, usd, state, reason, challenge_json)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      p.at, p.route, p.resource, p.x402Version, p.network, p.asset, p.payTo, p.amount, p.usd, p.state, p.reason,
      p.challenge === null ? null : JSON.stringify(p.challenge),
    ).lastInsertRowid));
  }

  /** The paid answer: settled (with the server's payment response and transaction) or failed (with why). */
  finish(id: number, f: { state: 'settled' | 'failed'; at: string; response: unknown; tx: string | null; reason: string | null }): void {
    this.store.runWrite(() => this.store.prepare('UPDATE x402_payments SET state = ?, settled_at = ?, response_json = ?, tx = ?, reason = ? WHERE id = ?')
      .run(f.state, f.at, f.response === null ? null : JSON.stringify(f.response), f.tx, f.reason, id));
  }

  /** Why a row still 'signed' has no answer (it stays counted against the daily cap). */
  note(id: number, reason: string): void {
    this.store.runWrite(() => this.store.prepare('UPDATE x402_payments SET reason = ? WHERE id = ?').run(reason, id));
  }

  /**
   * USD signed since `since` (ISO): settled payments, those whose answer never came and failed ones with a
   * transaction (each may have moved money).
   */
  spentUsdSince(since: string): number {
    return Number(this.store.prepare(`SELECT COALESCE(SUM(usd), 0) FROM x402_payments
      WHERE at >= ? AND (state IN ('signed', 'settled') OR (state = 'failed' AND tx IS NOT NULL))`).pluck().get(since));
  }

  latest(limit = 20): X402PaymentRecord[] {
    return (this.store.prepare(LATEST_X402_PAYMENTS_SQL).all(limit) as X402PaymentRow[]).map(toX402Payment);
  }
}
