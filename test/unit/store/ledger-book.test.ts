// The journal's guard reads the ledger's book (in memory) instead of scanning the backings: it must give the same
// figures as the store's SQL view of the same rows, whatever sequence of intents, state changes, second transfers,
// verdicts and settlements led there, and after a restart (a book rebuilt from the database).
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackingRow, JournalView } from '../../../src/ports/journal.js';
import { TimeWindow } from '../../../src/store/ledger-book.js';
import { SqliteJournal } from '../../../src/store/sqlite-journal.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';

const T0 = Date.UTC(2026, 0, 4);
const iso = (ms: number) => new Date(ms).toISOString();

type Op =
  | { kind: 'open'; narrative: number; stake: number; dry: boolean; refuse: boolean }
  | { kind: 'step'; pick: number; to: 'signed' | 'confirmed' | 'reported' | 'expired' | 'failed' | 'cancelled' | 'simulated' }
  | { kind: 'second'; pick: number }
  | { kind: 'settle'; narrative: number }
  | { kind: 'verdict'; narrative: number; dry: boolean }
  | { kind: 'wait'; minutes: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('open' as const), narrative: fc.nat(7), stake: fc.integer({ min: 1, max: 9 }), dry: fc.boolean(), refuse: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('step' as const), pick: fc.nat(), to: fc.constantFrom('signed' as const, 'confirmed' as const, 'reported' as const, 'expired' as const, 'failed' as const, 'cancelled' as const, 'simulated' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('second' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('settle' as const), narrative: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('verdict' as const), narrative: fc.nat(7), dry: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait' as const), minutes: fc.integer({ min: 1, max: 20 * 60 }) }) },
);

/** The ledger's portfolio straight from the tables: what the book must agree with (each landed transfer once). */
function sqlLedger(store: SqliteStore, dry: boolean, dayStart: string) {
  const open = store.db.prepare(`SELECT narrative_id, stake_lamports FROM backings
      WHERE dry_run = ? AND outcome IS NULL AND state NOT IN ('failed', 'expired', 'cancelled')`).safeIntegers(true).all(dry ? 1 : 0) as Array<{ narrative_id: string; stake_lamports: bigint }>;
  const held = new Set(open.map((r) => r.narrative_id));
  return {
    openPositions: held.size,
    exposure: open.reduce((a, r) => a + r.stake_lamports, 0n),
    spentToday: store.db.prepare(`SELECT COALESCE(SUM(stake_lamports), 0) FROM backings WHERE dry_run = ? AND created_at >= ? AND state NOT IN ('failed', 'expired', 'cancelled')`)
      .safeIntegers(true).pluck().get(dry ? 1 : 0, dayStart) as bigint,
    heldNarratives: held,
    verdictNarratives: new Set(store.db.prepare('SELECT narrative_id FROM resolutions WHERE dry_run = ?').pluck().all(dry ? 1 : 0) as string[]),
  };
}

/** What the guard saw, against the store's SQL view of the same ledger at the same moment. */
function sqlView(store: SqliteStore, dry: boolean, dayStart: string, since: string, wallet: string | null) {
  const base = sqlLedger(store, dry, dayStart);
  const extra = store.db.prepare(`SELECT COALESCE(SUM(b.stake_lamports * (a.n - 1)), 0) FROM backings b
      JOIN (SELECT backing_id, COUNT(*) AS n FROM backing_attempts WHERE outcome = 'landed' GROUP BY backing_id) a ON a.backing_id = b.id
      WHERE b.dry_run = ? AND b.outcome IS NULL AND b.state NOT IN ('failed', 'expired', 'cancelled')`).safeIntegers(true).pluck().get(dry ? 1 : 0) as bigint;
  const extraRecent = store.db.prepare(`SELECT COALESCE(SUM(b.stake_lamports * (a.n - 1)), 0) FROM backings b
      JOIN (SELECT backing_id, COUNT(*) AS n FROM backing_attempts WHERE outcome = 'landed' GROUP BY backing_id) a ON a.backing_id = b.id
      WHERE b.dry_run = ? AND b.created_at >= ? AND b.state NOT IN ('failed', 'expired', 'cancelled')`).safeIntegers(true).pluck().get(dry ? 1 : 0, dayStart) as bigint;
  // By category too, a second transfer counted (the book is stricter than ledgerView here, which leaves it out).
  const byCategory = Object.fromEntries((store.db.prepare(`SELECT b.category, SUM(b.stake_lamports * MAX(1, (SELECT COUNT(*) FROM backing_attempts a WHERE a.backing_id = b.id AND a.outcome = 'landed'))) AS s
      FROM backings b WHERE b.dry_run = ? AND b.outcome IS NULL AND b.state NOT IN ('failed', 'expired', 'cancelled') GROUP BY b.category ORDER BY b.category`)
    .safeIntegers(true).all(dry ? 1 : 0) as Array<{ category: string; s: bigint }>).map((r) => [r.category, r.s]));
  return {
    byCategory,
    openPositions: base.openPositions, exposure: base.exposure + extra, spentToday: base.spentToday + extraRecent, held: [...base.heldNarratives].sort(),
    verdicts: [...(base.verdictNarratives ?? [])].sort(),
    recentIntents: Number(store.db.prepare(`SELECT COUNT(*) FROM backings WHERE dry_run = ? AND created_at >= ? AND state <> 'cancelled'`).pluck().get(dry ? 1 : 0, since)),
    inFlight: (store.db.prepare(`SELECT DISTINCT narrative_id FROM backings WHERE dry_run = ? AND wallet IS ? AND state IN ('intent', 'signed', 'sent', 'confirmed') ORDER BY narrative_id`).pluck().all(dry ? 1 : 0, wallet) as string[]),
  };
}
/** What a ledger's P&L summary is made of (settled outcomes and their P&L, open positions and their stake). */
const pnlFigures = (store: SqliteStore, dry: boolean) => ({
  settled: store.db.prepare(`SELECT outcome, COUNT(*) AS n, SUM(pnl_lamports) AS pnl FROM backings WHERE dry_run = ? AND outcome IS NOT NULL GROUP BY outcome ORDER BY outcome`).safeIntegers(true).all(dry ? 1 : 0),
  open: store.db.prepare(`SELECT COUNT(*) AS n, SUM(stake_lamports) AS stake FROM backings WHERE dry_run = ? AND outcome IS NULL AND state NOT IN ('failed', 'expired', 'cancelled')`).safeIntegers(true).get(dry ? 1 : 0),
});
/** Both ledgers' journals on one file (the property covers them side by side). */
const twoJournals = (store: SqliteStore) => ({ live: new SqliteJournal(store, 'live'), dry: new SqliteJournal(store, 'dry-run') });
const fromGuard = (v: JournalView) => ({
  byCategory: Object.fromEntries([...v.exposureByCategory].filter(([, x]) => x !== 0n).sort(([a], [b]) => a.localeCompare(b))),
  openPositions: v.openPositions, exposure: v.exposure, spentToday: v.spentToday, held: [...v.heldNarratives].sort(), verdicts: [...v.verdictNarratives].sort(),
  recentIntents: v.recentIntents, inFlight: [...v.inFlightNarratives].sort(),
});

describe('the ledger book the journal guard reads', () => {
  it('gives the SQL view\'s figures after any sequence of journal changes, also rebuilt after a restart', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
        const path = join(mkdtempSync(join(tmpdir(), 'magma-book-')), 'magma.db');
        let store = SqliteStore.open(path);
        let journals = twoJournals(store);
        const jOf = (dry: boolean) => (dry ? journals.dry : journals.live);
        let now = T0;
        const lastPnl = new Map<boolean, { version: number; pnl: unknown }>();
        const tick = store.beginTick(iso(now));
        const rows: BackingRow[] = [];
        let n = 0;
        const check = (dry: boolean) => {
          // A probe intent the guard refuses: what it saw is the book's view at this moment.
          const wallet = dry ? null : 'W';
          const at = { now: iso(now), dayStart: iso(now - 86_400_000), since: iso(now - 60_000) };
          let seen: JournalView | null = null;
          const decisionId = store.recordDecision(tick, { narrativeId: 'probe', action: 'back', stakeLamports: 1n, pTrue: 0.9, confidence: 0.5, edge: 0.1, expectedValue: 0.1, reasons: [] }, at.now);
          jOf(dry).openBacking({ intentKey: `probe:${n++}`, decisionId, narrativeId: 'probe', category: 'X', stakeLamports: 1n, wallet }, at, (v) => {
            seen = v;
            return 'probe';
          });
          const guarded = fromGuard(seen!);
          expect(guarded).toEqual(sqlView(store, dry, at.dayStart, at.since, wallet));
          // The engine's portfolio view is the same book: what sizing plans is what the guard allows.
          const pv = store.ledgerView(dry ? 'dry-run' : 'live', at.dayStart);
          // The book's version is what a backtest caches its P&L on: unchanged version, unchanged P&L figures.
          const version = store.ledgerBook(dry ? 'dry-run' : 'live').version;
          const pnl = pnlFigures(store, dry);
          const last = lastPnl.get(dry);
          if (last?.version === version) expect(pnl).toEqual(last.pnl);
          lastPnl.set(dry, { version, pnl });
          expect({ openPositions: pv.openPositions, exposure: pv.exposure, spentToday: pv.spentToday, held: [...pv.heldNarratives].sort(), verdicts: [...(pv.verdictNarratives ?? [])].sort() })
            .toEqual({ openPositions: guarded.openPositions, exposure: guarded.exposure, spentToday: guarded.spentToday, held: guarded.held, verdicts: guarded.verdicts });
        };
        for (const o of ops) {
          if (o.kind === 'open') {
            const decisionId = store.recordDecision(tick, { narrativeId: `n${o.narrative}`, action: 'back', stakeLamports: 1n, pTrue: 0.9, confidence: 0.5, edge: 0.1, expectedValue: 0.1, reasons: [] }, iso(now));
            try {
              rows.push(jOf(o.dry).openBacking(
                { intentKey: `k${n++}`, decisionId, narrativeId: `n${o.narrative}`, category: `c${o.narrative % 3}`, stakeLamports: BigInt(o.stake) * 1_000_000n, wallet: o.dry ? null : 'W' },
                { now: iso(now), dayStart: iso(now - 86_400_000), since: iso(now - 60_000) }, () => (o.refuse ? 'refused' : null),
              ));
            } catch {
              // the one-in-flight index refused a second live intent: nothing was written
            }
          } else if (o.kind === 'step' && rows.length) {
            const i = o.pick % rows.length;
            const row = journals.live.backing(rows[i]!.id);
            const journal = jOf(row.ledger === 'dry-run');
            const to = o.to === 'simulated' && row.ledger === 'live' ? 'cancelled' : o.to;
            try {
              rows[i] = to === 'signed'
                ? journal.transition(row, 'signed', iso(now), { attempt: { signature: `S${n++}`, blockhash: 'B', lastValidBlockHeight: 1, signedTx: Buffer.from([1]), signedSlot: 1 } })
                : journal.transition(row, to, iso(now));
            } catch {
              // not a legal step from its state: refused before anything was written
            }
          } else if (o.kind === 'second' && rows.length) {
            // Two attempts of one live intent land: it confirms on the newer, and the older is noted landed too.
            const i = o.pick % rows.length;
            const journal = journals.live;
            let row = journal.backing(rows[i]!.id);
            if (row.ledger === 'live' && ['intent', 'signed', 'sent'].includes(row.state)) {
              const attempt = () => ({ signature: `S${n++}`, blockhash: 'B', lastValidBlockHeight: 1, signedTx: Buffer.from([1]), signedSlot: 1 });
              if (row.state === 'intent') row = journal.transition(row, 'signed', iso(now), { attempt: attempt() });
              const older = row.signature!;
              row = journal.transition(row, 'signed', iso(now), { attempt: attempt() });
              rows[i] = journal.transition(row, 'confirmed', iso(now), { slot: 3 });
              journal.noteAttempt(older, { outcome: 'landed', landedSlot: 2 });
            }
          } else if (o.kind === 'settle') {
            store.recordOutcome({ narrativeId: `n${o.narrative}`, outcome: 'true', resolvedAt: iso(now), source: 'test' }, iso(now), (stake) => stake);
          } else if (o.kind === 'verdict') {
            jOf(o.dry).openResolution({ narrativeId: `n${o.narrative}`, resolution: true, confidence: 0.9, evidence: 'e' }, iso(now));
          } else if (o.kind === 'wait') {
            now += o.minutes * 60_000;
          }
          check(false);
          check(true);
        }
        store.close();
        store = SqliteStore.open(path);
        journals = twoJournals(store);
        check(false);
        check(true);
        store.close();
      }),
      { numRuns: 60 },
    );
  });

  it('a time window answers sums from a start that moves forward, and one set back or out of order', () => {
    const w = new TimeWindow();
    w.add(1, '2026-01-01T00:00', 1n);
    w.add(2, '2026-01-01T01:00', 2n);
    w.add(3, '2026-01-01T02:00', 4n);
    expect(w.sum('2026-01-01T00:30')).toBe(6n);
    expect(w.sum('2026-01-01T01:30')).toBe(4n);
    expect(w.sum('2026-01-01T00:00')).toBe(7n); // set back: counted afresh
    w.add(4, '2026-01-01T00:45', 8n); // out of time order
    expect(w.sum('2026-01-01T00:30')).toBe(14n);
    w.set(2, 0n);
    expect(w.sum('2026-01-01T00:30')).toBe(12n);
    // A start after every entry (a caller asking about "ever after") sums nothing and leaves the window as it was.
    for (let i = 5; i < 5_000; i++) w.add(i, `2026-01-01T03:00:${String(i).padStart(5, '0')}`, 1n);
    expect(w.sum('9999')).toBe(0n);
    expect(w.sum('2026-01-01T00:30')).toBe(12n + 4_995n);
  });
});
