import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMagmaError } from '../../../src/core/errors.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { narrative } from '../../helpers/narratives.js';

const dbPath = () => join(mkdtempSync(join(tmpdir(), 'magma-store-')), 'magma.db');

/** Journal rows in any state, as a fixture (the journal's own transitions are tested in test/unit/executor). */
function backingFixture(store: SqliteStore) {
  const insert = store.db.prepare(`INSERT INTO backings (intent_key, decision_id, narrative_id, category, stake_lamports, state, dry_run, created_at, updated_at)
                                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  return (b: { intentKey: string; decisionId: number; narrativeId: string; category: string; stakeLamports: bigint; state: string; dryRun: boolean; at: string }) =>
    insert.run(b.intentKey, b.decisionId, b.narrativeId, b.category, b.stakeLamports, b.state, b.dryRun ? 1 : 0, b.at, b.at);
}

describe('SQLite store', () => {
  it('migrates a new database to the latest schema with WAL and full sync', () => {
    const store = SqliteStore.open(dbPath());
    expect(store.schemaVersion).toBeGreaterThanOrEqual(1);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(store.integrityCheck()).toBe('ok');
    store.close();
  });

  it('reopens an existing database without re-running migrations', () => {
    const path = dbPath();
    const a = SqliteStore.open(path);
    a.setMeta('k', 'v');
    const version = a.schemaVersion;
    a.close();
    const b = SqliteStore.open(path);
    expect(b.schemaVersion).toBe(version);
    expect(b.getMeta('k')).toBe('v');
    b.close();
  });

  it('refuses a database from a newer build', () => {
    const path = dbPath();
    SqliteStore.open(path).close();
    const raw = new Database(path);
    raw.pragma('user_version = 999');
    raw.close();
    const err = (() => { try { SqliteStore.open(path); } catch (e) { return e; } })();
    expect(isMagmaError(err, 'STORE_FAILED')).toBe(true);
    expect((err as Error).message).toContain('newer than this build knows');
  });

  it('stores a snapshot only when a narrative changed, and keeps lamports exact', () => {
    const path = dbPath();
    const store = SqliteStore.open(path);
    const n = narrative({ totalBackedLamports: 9_007_199_254_740_993n }); // above 2^53: must not round
    const t1 = store.beginTick('2026-04-07T00:00:00.000Z');
    expect(store.recordFeed(t1, '2026-04-07T00:00:00.000Z', [{ narrative: n, raw: { id: n.id } }])).toBe(1);
    const t2 = store.beginTick('2026-04-07T00:01:00.000Z');
    expect(store.recordFeed(t2, '2026-04-07T00:01:00.000Z', [{ narrative: n, raw: { id: n.id } }])).toBe(0);
    const t3 = store.beginTick('2026-04-07T00:02:00.000Z');
    expect(store.recordFeed(t3, '2026-04-07T00:02:00.000Z', [{ narrative: { ...n, backerCount: 24 }, raw: {} }])).toBe(1);
    const history = store.history(n.id, Date.parse('2026-04-07T00:02:00.000Z'));
    expect(history.map((h) => h.backerCount)).toEqual([23, 24]);
    expect(history[0]!.totalBackedLamports).toBe(9_007_199_254_740_993n);
    expect(Object.isFrozen(history[0])).toBe(true);
    // history never looks ahead of the moment asked for
    expect(store.history(n.id, Date.parse('2026-04-07T00:01:00.000Z'))).toHaveLength(1);
    store.close();
    // a restarted agent reads the window back from the database once, and does not store an unchanged narrative again
    const again = SqliteStore.open(path);
    const t4 = again.beginTick('2026-04-07T00:03:00.000Z');
    expect(again.recordFeed(t4, '2026-04-07T00:03:00.000Z', [{ narrative: { ...n, backerCount: 24 }, raw: {} }])).toBe(0);
    expect(again.history(n.id, Date.parse('2026-04-07T00:03:00.000Z')).map((h) => h.backerCount)).toEqual([23, 24]);
    again.close();
  });

  it('derives the portfolio view from the backing journal (open positions, exposure, today\'s spend)', () => {
    const store = SqliteStore.open(dbPath(), { ledger: 'dry-run' });
    const tick = store.beginTick('2026-04-07T00:00:00.000Z');
    const decision = { narrativeId: 'a', action: 'back' as const, stakeLamports: 5n, pTrue: 0.9, confidence: 0.5, edge: 0.05, expectedValue: 0.01, reasons: [] };
    const id = store.recordDecision(tick, decision, '2026-04-07T00:00:00.000Z');
    const insertBackingIntent = backingFixture(store);
    insertBackingIntent({ intentKey: 'k1', decisionId: id, narrativeId: 'a', category: 'MARKET', stakeLamports: 300n, state: 'simulated', dryRun: true, at: '2026-04-06T23:00:00.000Z' });
    insertBackingIntent({ intentKey: 'k2', decisionId: id, narrativeId: 'b', category: 'SPORTS', stakeLamports: 200n, state: 'simulated', dryRun: true, at: '2026-04-07T01:00:00.000Z' });
    insertBackingIntent({ intentKey: 'k3', decisionId: id, narrativeId: 'c', category: 'SPORTS', stakeLamports: 999n, state: 'failed', dryRun: true, at: '2026-04-07T01:00:00.000Z' });
    insertBackingIntent({ intentKey: 'k4', decisionId: id, narrativeId: 'd', category: 'SPORTS', stakeLamports: 777n, state: 'confirmed', dryRun: false, at: '2026-04-07T01:00:00.000Z' });
    const view = store.portfolioView('2026-04-07T00:00:00.000Z');
    expect(view.openPositions).toBe(2);
    expect(view.exposure).toBe(500n);
    expect(view.spentToday).toBe(200n);
    expect(view.exposureByCategory.get('SPORTS')).toBe(200n);
    expect([...view.heldNarratives].sort()).toEqual(['a', 'b']);
    // dry-run and live rows never mix
    expect(store.ledgerView('live', '2026-04-07T00:00:00.000Z').exposure).toBe(777n);
    // one row per intent: a repeated intent key is refused
    expect(() => insertBackingIntent({ intentKey: 'k1', decisionId: id, narrativeId: 'a', category: 'MARKET', stakeLamports: 1n, state: 'simulated', dryRun: true, at: 'x' })).toThrow();
    store.close();
  });

  it('records an outcome once, settles the open backings of that narrative, and stops asking about it', () => {
    const store = SqliteStore.open(dbPath(), { ledger: 'dry-run' });
    const insertBackingIntent = backingFixture(store);
    const n = narrative();
    const tick = store.beginTick('2026-04-07T00:00:00.000Z');
    store.recordFeed(tick, '2026-04-07T00:00:00.000Z', [{ narrative: n, raw: {} }]);
    const decision = { narrativeId: n.id, action: 'back' as const, stakeLamports: 1_000_000_000n, pTrue: 0.9, confidence: 0.5, edge: 0.05, expectedValue: 0.01, reasons: [] };
    const id = store.recordDecision(tick, decision, '2026-04-07T00:00:00.000Z');
    insertBackingIntent({ intentKey: 'k', decisionId: id, narrativeId: n.id, category: 'MARKET', stakeLamports: 1_000_000_000n, state: 'simulated', dryRun: true, at: '2026-04-07T00:00:00.000Z' });
    expect(store.narrativesAwaitingOutcome(new Set([n.id]), 10)).toEqual([]); // still in the feed
    expect(store.narrativesAwaitingOutcome(new Set(), 10)).toEqual([n.id]);
    // a narrative only decided on (never backed) is asked about by sources that can know it, not by the portfolio
    const other = narrative({ id: 'decided-only' });
    const tick2 = store.beginTick('2026-04-07T00:01:00.000Z');
    store.recordFeed(tick2, '2026-04-07T00:01:00.000Z', [{ narrative: other, raw: {} }]);
    store.recordDecision(tick2, { ...decision, narrativeId: other.id, action: 'skip' }, '2026-04-07T00:01:00.000Z');
    expect(store.narrativesAwaitingOutcome(new Set(), 10)).toEqual([other.id, n.id]); // most recently seen first
    expect(store.narrativesAwaitingOutcome(new Set(), 10, true)).toEqual([n.id]);

    const settled = store.recordOutcome({ narrativeId: n.id, outcome: 'false', resolvedAt: null, source: 'simulator' }, '2026-04-09T00:00:00.000Z', (stake) => -stake / 4n);
    expect(settled).toEqual([{ backingId: 1, narrativeId: n.id, stakeLamports: 1_000_000_000n, pnlLamports: -250_000_000n, ledger: 'dry-run' }]);
    expect(store.recordOutcome({ narrativeId: n.id, outcome: 'true', resolvedAt: null, source: 'feed' }, 'x', () => 0n)).toBeNull(); // first one wins
    expect(store.narrativesAwaitingOutcome(new Set(), 10, true)).toEqual([]);
    expect(store.portfolioView('2026-04-07T00:00:00.000Z').openPositions).toBe(0); // settled: no longer open
    store.close();
  });

  it('closes ticks a killed process left running as interrupted', () => {
    const store = SqliteStore.open(dbPath());
    store.beginTick('2026-04-07T00:00:00.000Z');
    expect(store.closeInterruptedTicks('2026-04-07T00:05:00.000Z')).toBe(1);
    expect(store.db.prepare('SELECT status, finished_at FROM ticks').get()).toEqual({ status: 'interrupted', finished_at: '2026-04-07T00:05:00.000Z' });
    expect(store.closeInterruptedTicks('x')).toBe(0);
    store.close();
  });

  it('explains a path it cannot open', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'magma-store-')), 'a-file');
    writeFileSync(file, 'not a folder');
    const err = (() => { try { SqliteStore.open(join(file, 'sub', 'magma.db')); } catch (e) { return e; } })();
    expect(isMagmaError(err, 'STORE_FAILED')).toBe(true);
  });
});
