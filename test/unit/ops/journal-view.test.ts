// The journal figures the daemon reads once per tick for its gauges and the stuck alert: in flight and stuck from the
// backings still moving, open positions and exposure the same as the store's portfolio, and no statement that scans
// the whole backings table (which grows for as long as the agent runs).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { IN_FLIGHT_STATES, journalView, stuckAfterMs } from '../../../src/ops/journal-view.js';
import { SqliteJournal } from '../../../src/store/sqlite-journal.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';

const DAY = '2026-01-04T00:00:00.000Z';
const at = (min: number) => new Date(Date.parse(DAY) + min * 60_000).toISOString();

/** Records the SQL of every statement run on `db` from now on (statements prepared later, cached or not). */
function recordRuns(db: Database.Database): string[] {
  const ran: string[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    const stmt = prepare(sql);
    const proxy: unknown = new Proxy(stmt, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          if (prop === 'all' || prop === 'get' || prop === 'iterate' || prop === 'run') ran.push(sql);
          const out = (v as (...a: unknown[]) => unknown).apply(target, args);
          return out === target ? proxy : out; // chained: safeIntegers(), pluck()
        };
      },
    });
    return proxy;
  }) as typeof db.prepare;
  return ran;
}

describe('journalView', () => {
  it('counts backings in flight and stuck, and reads positions and exposure as the portfolio does, without scanning the table', () => {
    const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'magma-jview-')), 'magma.db'));
    const ran = recordRuns(store.db);
    const journal = new SqliteJournal(store);
    let now = Date.parse(at(0));
    const view = journalView({ store, journal, clock: { now: () => now }, stuckAfterMs: stuckAfterMs(60) });
    const tick = store.beginTick(at(0));
    const open = (n: string, stake: bigint, state: 'intent' | 'sent' | 'reported') => {
      const decisionId = store.recordDecision(tick, { narrativeId: n, action: 'back', stakeLamports: stake, pTrue: 0.9, confidence: 0.5, edge: 0.1, expectedValue: 0.1, reasons: [] }, at(0));
      let row = journal.openBacking({ intentKey: `live:${n}`, decisionId, narrativeId: n, category: 'MARKET', stakeLamports: stake, wallet: 'W' }, { now: at(0), dayStart: DAY, since: at(-1) }, () => null);
      if (state === 'intent') return row;
      row = journal.transition(row, 'signed', at(0), { attempt: { signature: `S-${n}`, blockhash: 'BH', lastValidBlockHeight: 100, signedTx: Buffer.from([1]), signedSlot: 1 } });
      row = journal.transition(row, 'sent', at(0));
      if (state === 'sent') return row;
      row = journal.transition(row, 'confirmed', at(0), { slot: 2 });
      return journal.transition(row, 'reported', at(0), { reportJson: '{}' });
    };
    open('n1', 100n, 'intent');
    open('n2', 200n, 'sent');
    open('n3', 400n, 'reported');
    expect(IN_FLIGHT_STATES).toEqual(['intent', 'signed', 'sent', 'confirmed']);

    const portfolio = store.portfolioView(DAY);
    expect(view()).toEqual({ inFlight: 2, stuck: 0, openPositions: portfolio.openPositions, exposure: portfolio.exposure });
    expect(view()).toMatchObject({ openPositions: 3, exposure: 700n });
    now = Date.parse(at(11)); // past max(10 min, 3 × 60 s): both in flight count as stuck
    expect(view()).toMatchObject({ inFlight: 2, stuck: 2 });

    // what one tick's read runs (the ledger book is loaded once, at its first use, by the journal itself)
    ran.length = 0;
    view();
    expect(ran.length).toBeGreaterThan(0);
    for (const sql of new Set(ran)) {
      const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...new Array((sql.match(/\?/g) ?? []).length).fill(null)) as Array<{ detail: string }>).map((r) => r.detail);
      expect(plan.join('; '), sql).not.toMatch(/SCAN backings\b/);
    }
    store.close();
  });
});
