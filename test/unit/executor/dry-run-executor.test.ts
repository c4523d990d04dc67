// Dry-run records through the journal's state machine (intent → simulated) and sends nothing; with the guards every
// mode shares it refuses what live would refuse.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import type { Decision } from '../../../src/core/decide.js';
import { riskLimits } from '../../../src/core/risk.js';
import { DryRunExecutor } from '../../../src/executor/dry-run-executor.js';
import { SqliteJournal } from '../../../src/store/sqlite-journal.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { narrative } from '../../helpers/narratives.js';

const clock = new ManualClock(Date.UTC(2026, 0, 4));
const LIMITS = riskLimits({ minStakeSol: 0.001, maxStakeSol: 0.01, maxDailySol: 1, maxOpenPositions: 5, maxExposureSol: 1, maxCategoryExposureSol: null, kellyFraction: 0.25, minEdge: 0.02, minBalanceSol: 0, scaleIn: false });
const POLICY = { enabled: false, minConfidence: 0.8, allowOwnPositions: false };
const decision = (id: string, stake: bigint): Decision => ({ narrativeId: id, action: 'back', stakeLamports: stake, pTrue: 0.9, confidence: 0.5, edge: 0.05, expectedValue: 0.01, reasons: [] });

function setup() {
  const store = SqliteStore.open(':memory:', { ledger: 'dry-run' });
  const tick = store.beginTick(new Date(clock.now()).toISOString());
  const record = (d: Decision) => store.recordDecision(tick, d, new Date(clock.now()).toISOString());
  return { store, record };
}

const A = '0b6c1f1e-6f0c-4d7e-9a57-3c1f3e1d2a0a';
const B = '0b6c1f1e-6f0c-4d7e-9a57-3c1f3e1d2a0b';

describe('dry-run executor', () => {
  it('journals intent → simulated and sends nothing', async () => {
    const { store, record } = setup();
    const n = narrative({ id: A });
    const d = decision(A, 5_000_000n);
    const r = await new DryRunExecutor({ journal: new SqliteJournal(store), clock, limits: LIMITS, resolution: POLICY, maxPerMinute: 9 }).execute({ decision: d, decisionId: record(d), narrative: n });
    expect(r.state).toBe('simulated');
    expect(store.db.prepare('SELECT to_state FROM backing_events').pluck().all()).toEqual(['intent', 'simulated']);
  });

  it('refuses at the executor what breaks a risk limit, like live', async () => {
    const { store, record } = setup();
    const journal = new SqliteJournal(store);
    const ex = new DryRunExecutor({ journal, clock, limits: LIMITS, resolution: POLICY, maxPerMinute: 9 });
    const d = decision(B, 50_000_000n);
    const r = await ex.execute({ decision: d, decisionId: record(d), narrative: narrative({ id: B }) });
    expect(r.state).toBe('cancelled');
    expect(journal.backing(r.backingId).error).toMatch(/above risk.maxStakeSol/);
  });

  it('counts risk.maxDailySol over a rolling 24 hours of its clock (a backtest\'s replayed time), not the UTC day', async () => {
    const replay = new ManualClock(Date.UTC(2026, 0, 4, 23, 0)); // 23:00, an hour before a UTC midnight
    const store = SqliteStore.open(':memory:', { ledger: 'dry-run' });
    const tick = store.beginTick(new Date(replay.now()).toISOString());
    const limits = riskLimits({ minStakeSol: 0.001, maxStakeSol: 0.6, maxDailySol: 1, maxOpenPositions: 5, maxExposureSol: 10, maxCategoryExposureSol: null, kellyFraction: 0.25, minEdge: 0.02, minBalanceSol: 0, scaleIn: false });
    const ex = new DryRunExecutor({ journal: new SqliteJournal(store), clock: replay, limits, resolution: POLICY, maxPerMinute: 9 });
    const back = async (id: string) => {
      const d = decision(id, 600_000_000n);
      return (await ex.execute({ decision: d, decisionId: store.recordDecision(tick, d, new Date(replay.now()).toISOString()), narrative: narrative({ id }) })).state;
    };
    expect(await back(A)).toBe('simulated');
    replay.advance(2 * 3_600_000); // 01:00 of the next UTC day: a new day, but not 24 hours later
    expect(await back(B)).toBe('cancelled');
    expect(store.db.prepare('SELECT error FROM backings WHERE narrative_id = ?').pluck().get(B)).toMatch(/in the last 24 hours would reach 1\.2000 SOL, above risk\.maxDailySol/);
    replay.advance(22 * 3_600_000 + 60_000); // 24 h and a minute after the first
    const C = '0b6c1f1e-6f0c-4d7e-9a57-3c1f3e1d2a0c';
    expect(await back(C)).toBe('simulated');
  });
});
