// The journal's state machine on a real SQLite file: legal steps only, compare-and-set, one row per intent key,
// attempts and events kept, and dry-run rows through the same machine.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMagmaError } from '../../../src/core/errors.js';
import { SqliteJournal } from '../../../src/store/sqlite-journal.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';

const AT = { now: '2026-01-04T00:00:00.000Z', dayStart: '2026-01-04T00:00:00.000Z', since: '2026-01-03T23:59:00.000Z' };

function open() {
  const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'magma-journal-')), 'magma.db'));
  const tick = store.beginTick(AT.now);
  const decisionId = store.recordDecision(tick, { narrativeId: 'n1', action: 'back', stakeLamports: 5n, pTrue: 0.9, confidence: 0.5, edge: 0.1, expectedValue: 0.1, reasons: [] }, AT.now);
  return { store, journal: new SqliteJournal(store), decisionId };
}

const intent = (decisionId: number, key = 'live:1:n1') => ({ intentKey: key, decisionId, narrativeId: 'n1', category: 'MARKET', stakeLamports: 100_000_000n, wallet: 'W' });
const attempt = (sig: string) => ({ signature: sig, blockhash: 'BH', lastValidBlockHeight: 100, signedTx: Buffer.from([1, 2, 3]), signedSlot: 1 });

describe('backing journal', () => {
  it('walks intent → signed → sent → confirmed → reported and keeps every event and attempt', () => {
    const { store, journal, decisionId } = open();
    let row = journal.openBacking(intent(decisionId), AT, () => null);
    expect(row.state).toBe('intent');
    row = journal.transition(row, 'signed', AT.now, { attempt: attempt('S1') });
    expect(row).toMatchObject({ state: 'signed', signature: 'S1', lastValidBlockHeight: 100, signCount: 1 });
    expect(row.signedTx).toEqual(Buffer.from([1, 2, 3]));
    row = journal.transition(row, 'sent', AT.now);
    row = journal.transition(row, 'signed', AT.now, { attempt: attempt('S2'), note: 'S1 provably expired' });
    row = journal.transition(row, 'sent', AT.now);
    row = journal.transition(row, 'confirmed', AT.now, { slot: 7 });
    row = journal.transition(row, 'reported', AT.now, { reportJson: '{}' });
    expect(row).toMatchObject({ state: 'reported', signature: 'S2', signCount: 2, slot: 7 });
    expect(store.db.prepare('SELECT signature, outcome FROM backing_attempts ORDER BY id').all()).toEqual([
      { signature: 'S1', outcome: 'expired' }, { signature: 'S2', outcome: 'landed' },
    ]);
    expect(store.db.prepare('SELECT to_state FROM backing_events ORDER BY id').pluck().all()).toEqual(['intent', 'signed', 'sent', 'signed', 'sent', 'confirmed', 'reported']);
    expect(journal.unfinishedBackings()).toEqual([]);
  });

  it('refuses an illegal step and a step from a stale state', () => {
    const { journal, decisionId } = open();
    const row = journal.openBacking(intent(decisionId), AT, () => null);
    expect(() => journal.transition(row, 'confirmed', AT.now)).toThrow(/from intent to confirmed/);
    journal.transition(row, 'cancelled', AT.now);
    const err = (() => { try { journal.transition(row, 'signed', AT.now, { attempt: attempt('S1') }); } catch (e) { return e; } })();
    expect(isMagmaError(err, 'JOURNAL_CONFLICT')).toBe(true); // row said intent, the journal says cancelled
  });

  it('keeps one row per intent key and records a refused intent as cancelled with its reason', () => {
    const { journal, decisionId } = open();
    const a = journal.openBacking(intent(decisionId), AT, () => null);
    const b = journal.openBacking(intent(decisionId), AT, () => 'never asked');
    expect(b.id).toBe(a.id);
    const refused = journal.openBacking(intent(decisionId, 'live:2:n1'), AT, (view) => (view.heldNarratives.has('n1') ? 'already held' : null));
    expect(refused).toMatchObject({ state: 'cancelled', error: 'already held' });
    expect(journal.unfinishedBackings().map((r) => r.id)).toEqual([a.id]);
  });

  it('journals dry-run intents through the same machine, to simulated', () => {
    const { store, decisionId } = open();
    const journal = new SqliteJournal(store, 'dry-run');
    const row = journal.openBacking({ ...intent(decisionId, 'dry:1:n1'), wallet: null }, AT, () => null);
    expect(row.ledger).toBe('dry-run');
    expect(journal.transition(row, 'simulated', AT.now).state).toBe('simulated');
    expect(() => journal.transition({ ...row, state: 'simulated' }, 'signed', AT.now)).toThrow();
  });

  it('adopts an earlier attempt that landed after all: its signature becomes the row\'s, no bytes are left to resend, and the newer attempt is still watched', () => {
    const { store, journal, decisionId } = open();
    let row = journal.openBacking(intent(decisionId), AT, () => null);
    row = journal.transition(row, 'signed', AT.now, { attempt: attempt('S1') });
    row = journal.transition(row, 'sent', AT.now);
    row = journal.transition(row, 'signed', AT.now, { attempt: attempt('S2') });
    expect(journal.attemptSignatures(row.id)).toEqual(['S1', 'S2']);
    row = journal.adoptAttempt(row, 'S1', AT.now);
    expect(row).toMatchObject({ state: 'signed', signature: 'S1', signedTx: null });
    expect(journal.landedCanary(1000)).toBeNull();
    row = journal.transition(row, 'sent', AT.now);
    row = journal.transition(row, 'confirmed', AT.now, { slot: 3 });
    // A canary vouches only for attempts signed after it landed.
    expect(journal.landedCanary(3)).toBe('S1');
    expect(journal.landedCanary(2)).toBeNull();
    expect(store.db.prepare('SELECT signature, outcome FROM backing_attempts ORDER BY id').all()).toEqual([
      { signature: 'S1', outcome: 'landed' }, { signature: 'S2', outcome: 'pending' },
    ]);
  });

  it('a stale copy of a row cannot re-sign it: the compare-and-set checks the signature and sign count too', () => {
    const { journal, decisionId } = open();
    let row = journal.openBacking(intent(decisionId), AT, () => null);
    row = journal.transition(row, 'signed', AT.now, { attempt: attempt('S1') });
    const stale = row;
    journal.transition(row, 'signed', AT.now, { attempt: attempt('S2') }); // another writer re-signed first
    expect(() => journal.transition(stale, 'signed', AT.now, { attempt: attempt('S3') })).toThrow();
    expect(journal.attemptSignatures(row.id)).toEqual(['S1', 'S2']);
  });
});
