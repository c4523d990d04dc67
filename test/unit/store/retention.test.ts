// Retention (store.retainDays): old observations go in small batches; the journal, backings, backing decisions,
// resolutions, outcomes and so P&L never do, and a recording exported after pruning is still whole.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/core/decide.js';
import { settledPnlLamports, payoutModel } from '../../../src/core/payout.js';
import { exportRecording } from '../../../src/report/export-recording.js';
import { SqliteJournal } from '../../../src/store/sqlite-journal.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { narrative } from '../../helpers/narratives.js';

const DAY = 86_400_000;
const START = Date.parse('2026-03-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const payout = payoutModel('current');

/** Ten days of hourly ticks over four narratives, with backings, a verdict and outcomes along the way. */
function fill(store: SqliteStore) {
  const journal = new SqliteJournal(store);
  const ids = ['n-a', 'n-b', 'n-c', 'n-d'];
  for (let h = 0; h < 10 * 24; h++) {
    const at = START + h * 3_600_000;
    const tick = store.beginTick(iso(at));
    const items = ids.map((id, k) => {
      const n = narrative({ id, oracleStatus: 'live', backerCount: 3 + Math.floor(h / (k + 1)), challengeCount: k, totalBackedLamports: BigInt(1_000_000_000 + h * 1_000_000) });
      return { narrative: n, raw: { id, title: n.title, oracle_status: 'live', total_backed_sol: Number(n.totalBackedLamports) / 1e9, backer_count: n.backerCount, challenge_count: n.challengeCount, extra: 'kept' } };
    });
    store.recordFeed(tick, iso(at), items);
    for (const { narrative: n } of items) {
      const p = 0.5 + ((h * 7 + n.backerCount) % 40) / 100;
      store.recordOpinions(tick, n.id, iso(at), [{ strategy: 'crowd', pTrue: p, confidence: 0.5, durationMs: 0.1 }], 'live');
      const back = h % 48 === 5 && n.id === 'n-a';
      const decision: Decision = {
        narrativeId: n.id, action: back ? 'back' : 'skip', stakeLamports: back ? 100_000_000n : 0n, pTrue: p, confidence: 0.5,
        edge: p - 0.86, expectedValue: 0, reasons: back ? ['kelly 1% of bankroll'] : [`edge below risk.minEdge (${(p - 0.86).toFixed(3)} < 0.02)`],
      };
      const decisionId = store.recordDecision(tick, decision, iso(at));
      if (back) {
        const row = journal.openBacking({ intentKey: `dry:${decisionId}:${n.id}:${h}`, decisionId, narrativeId: `${n.id}-${h}`, category: 'MARKET', stakeLamports: 100_000_000n, wallet: null },
          { now: iso(at), dayStart: iso(at - (at % DAY)), since: iso(at - 60_000) }, () => null);
        journal.transition(row, 'simulated', iso(at));
      }
    }
    store.recordApiCall({ at: iso(at), family: 'feed', method: 'GET', route: '/v1/agent/feed', status: 200, latencyMs: 3 });
    store.recordPrice('SOL', iso(at), 200 + h);
    if (h === 30) {
      const { row } = journal.openResolution({ narrativeId: 'n-x', resolution: true, confidence: 0.9, evidence: 'e' }, iso(at));
      journal.transitionResolution(row, 'simulated', iso(at));
    }
    // Settle the backings opened two days before (some won, some lost).
    for (const b of store.db.prepare(`SELECT narrative_id FROM backings WHERE outcome IS NULL AND created_at <= ?`).pluck().all(iso(at - 2 * DAY)) as string[]) {
      store.recordOutcome({ narrativeId: b, outcome: h % 2 ? 'true' : 'false', resolvedAt: iso(at), source: 'feed' }, iso(at), (stake, o) => settledPnlLamports(payout, stake, o));
    }
    store.finishTick(tick, { status: 'ok', finishedAt: iso(at) });
  }
}

const count = (store: SqliteStore, table: string) => store.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;

describe('retention', () => {
  it('prunes old observations in small batches and keeps the journal, decisions to back, verdicts, outcomes and P&L', () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-retention-'));
    const store = SqliteStore.open(join(dir, 'magma.db'), { ledger: 'dry-run' });
    fill(store);
    store.flushRuns();
    const kept = ['backings', 'backing_events', 'resolutions', 'outcomes', 'narratives', 'ticks'];
    const before = Object.fromEntries(kept.map((t) => [t, count(store, t)]));
    const backDecisions = store.db.prepare(`SELECT COUNT(*) FROM decisions WHERE action = 'back'`).pluck().get();
    const pnlBefore = store.pnlSummary();
    expect(pnlBefore.settled).toBeGreaterThan(0);
    const observations = ['narrative_snapshots', 'opinions', 'decisions', 'api_calls', 'price_points', 'feed_polls'];
    const sizes = Object.fromEntries(observations.map((t) => [t, count(store, t)]));

    const cutoff = iso(START + 7 * DAY);
    let batches = 0;
    for (let n; (n = store.prune(cutoff, 50)) > 0; batches++) expect(n).toBeLessThanOrEqual(50 * 7);
    expect(batches).toBeGreaterThan(1); // small batches, not one sweep

    for (const t of observations) expect(count(store, t), t).toBeLessThan(sizes[t]!);
    const cutMs = Date.parse(cutoff);
    // Nothing observed before the cut is left but each narrative's newest snapshot and runs still going on.
    expect(store.db.prepare('SELECT COUNT(*) FROM opinions WHERE COALESCE(last_t, t) < ?').pluck().get(cutMs)).toBe(0);
    expect(store.db.prepare(`SELECT COUNT(*) FROM decisions WHERE action = 'skip' AND COALESCE(last_seen_at, created_at) < ?`).pluck().get(cutoff)).toBe(0);
    expect(store.db.prepare('SELECT COUNT(*) FROM api_calls WHERE at < ?').pluck().get(cutoff)).toBe(0);
    expect(store.db.prepare('SELECT COUNT(*) FROM price_points WHERE t < ?').pluck().get(cutoff)).toBe(0);
    for (const t of kept) expect(count(store, t), t).toBe(before[t]);
    expect(store.db.prepare(`SELECT COUNT(*) FROM decisions WHERE action = 'back'`).pluck().get()).toBe(backDecisions);
    expect(store.pnlSummary()).toEqual(pnlBefore);
    expect(store.integrityCheck()).toBe('ok');

    // What is left still exports whole: every item as received (the raw items rebuilt from deltas included).
    const out = join(dir, 'after.jsonl');
    const { polls } = exportRecording(store, out);
    expect(polls).toBeGreaterThan(0);
    const last = JSON.parse(readFileSync(out, 'utf8').trim().split('\n').pop()!) as { narratives: Array<Record<string, unknown>> };
    expect(last.narratives.map((n) => n.id)).toEqual(['n-a', 'n-b', 'n-c', 'n-d']);
    expect(last.narratives.every((n) => n.extra === 'kept' && typeof n.backer_count === 'number')).toBe(true);
    store.close();
  });

  it('prunes on its own after ticks, once store.retainDays have passed, without being asked', () => {
    const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'magma-retention-')), 'magma.db'), { ledger: 'dry-run', retainDays: 3 });
    fill(store);
    const oldest = store.db.prepare('SELECT MIN(at) FROM api_calls').pluck().get() as string;
    expect(Date.parse(oldest)).toBeGreaterThanOrEqual(START + 6 * DAY); // ten days recorded, about three kept
    expect(count(store, 'backings')).toBeGreaterThan(0);
    store.close();
  });
});
