// The journal's guarantees added for real RPCs (issue 11): one live intent in flight per (wallet, narrative) even
// past the guard, verdicts kept per ledger, and what `status` and /metrics show about backings nothing could prove.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inFlightBackings } from '../../../src/cli/in-flight-backings.js';
import { SqliteJournal } from '../../../src/store/sqlite-journal.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';

const AT = { now: '2026-01-04T00:00:00.000Z', dayStart: '2026-01-04T00:00:00.000Z', since: '2026-01-03T23:59:00.000Z' };

function open() {
  const path = join(mkdtempSync(join(tmpdir(), 'magma-journal11-')), 'magma.db');
  const store = SqliteStore.open(path);
  const tick = store.beginTick(AT.now);
  const decisionId = store.recordDecision(tick, { narrativeId: 'n1', action: 'back', stakeLamports: 5n, pTrue: 0.9, confidence: 0.5, edge: 0.1, expectedValue: 0.1, reasons: [] }, AT.now);
  return { path, store, journal: new SqliteJournal(store), decisionId };
}
const intent = (decisionId: number, key: string) => ({ intentKey: key, decisionId, narrativeId: 'n1', category: 'MARKET', stakeLamports: 100_000_000n, wallet: 'W' });

describe('journal guarantees for real RPCs', () => {
  it('the guard sees intents in flight, and even a guard that lets a second one through cannot open it beside the first', () => {
    const { journal, decisionId } = open();
    journal.openBacking(intent(decisionId, 'live:1:n1'), AT, () => null);
    let seen: ReadonlySet<string> = new Set();
    journal.openBacking(intent(decisionId, 'live:2:n1'), AT, (view) => { seen = view.inFlightNarratives; return 'refused'; });
    expect([...seen]).toEqual(['n1']);
    expect(() => journal.openBacking(intent(decisionId, 'live:3:n1'), AT, () => null)).toThrow(/UNIQUE/);
  });

  it('keeps a dry-run verdict and a live one on the same narrative apart', () => {
    const { journal, store } = open();
    const dryJournal = new SqliteJournal(store, 'dry-run');
    const dry = dryJournal.openResolution({ narrativeId: 'n1', resolution: true, confidence: 0.9, evidence: 'e' }, AT.now);
    const liveRow = journal.openResolution({ narrativeId: 'n1', resolution: true, confidence: 0.9, evidence: 'e' }, AT.now);
    expect(dry.created && liveRow.created).toBe(true);
    expect([dry.row.ledger, liveRow.row.ledger]).toEqual(['dry-run', 'live']);
    expect(journal.openResolution({ narrativeId: 'n1', resolution: false, confidence: 0.9, evidence: 'e' }, AT.now).created).toBe(false);
    expect(journal.unfinishedResolutions().map((r) => r.id)).toEqual([liveRow.row.id]); // each journal reads its own ledger
    expect(dryJournal.unfinishedResolutions().map((r) => r.id)).toEqual([dry.row.id]);
  });

  it('status and /metrics name a backing no RPC answer could prove expired', () => {
    const { path, store, journal, decisionId } = open();
    let row = journal.openBacking(intent(decisionId, 'live:1:n1'), AT, () => null);
    row = journal.transition(row, 'signed', AT.now, { attempt: { signature: 'S1', blockhash: 'BH', lastValidBlockHeight: 100, signedTx: Buffer.from([1]), signedSlot: 1 } });
    journal.noteBackingError(row, 'cannot prove this transaction expired: the RPC answered 900 slots after it was signed', AT.now);
    expect(inFlightBackings(path)).toMatchObject({ count: 1, unprovable: [{ narrativeId: 'n1', signature: 'S1', state: 'signed', why: expect.stringMatching(/^cannot prove/) }] });
    expect(inFlightBackings(join(tmpdir(), 'no-such-dir', 'magma.db'))).toBeNull();
  });
});
