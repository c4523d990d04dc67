// The engine with in-memory fakes: the per-wallet backing budget closes the backing gate once it is spent.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { payoutModel } from '../../../src/core/payout.js';
import { riskLimits } from '../../../src/core/risk.js';
import { Engine } from '../../../src/engine/engine.js';
import { StrategyHost } from '../../../src/engine/strategy-host.js';
import { DryRunExecutor } from '../../../src/executor/dry-run-executor.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { MagmaReadApi } from '../../../src/ports/magma-api.js';
import { SqliteJournal } from '../../../src/store/sqlite-journal.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { narrative } from '../../helpers/narratives.js';

const LIMITS = riskLimits({ minStakeSol: 0.001, maxStakeSol: 1, maxDailySol: 5, maxOpenPositions: 20, maxExposureSol: 10, maxCategoryExposureSol: null, kellyFraction: 0.25, minEdge: 0.02, minBalanceSol: 0.05, scaleIn: false });

function engineWith(budgetLeft: () => number | null) {
  const clock = new ManualClock(Date.parse('2026-05-20T12:00:00Z'));
  const store = SqliteStore.open(':memory:', { ledger: 'dry-run' });
  const items = [narrative({ id: '0b6c1f1e-6f0c-4d7e-9a57-3c1f3e1d2a0a', oracleStatus: 'live' }), narrative({ id: '0b6c1f1e-6f0c-4d7e-9a57-3c1f3e1d2a0b', oracleStatus: 'live' })];
  const api = {
    systemStatus: async () => ({ operational: true, halted: [] }),
    termsStatus: async () => ({ accepted: true, termsVersion: '1' }),
    walletFlag: async () => ({ walletAddress: 'w', flagged: false, blocked: false, flagType: null, reason: null }),
    feed: async () => ({ narratives: items.map((n) => ({ narrative: n, raw: { id: n.id } })), dropped: [] }),
  } satisfies MagmaReadApi;
  const sure = { name: 'sure', evaluate: () => ({ pTrue: 0.97, confidence: 1 }) };
  const engine = new Engine({
    clock, api, chain: { getBalance: async () => 20_000_000_000n, getBlockHeight: async () => 1 }, executor: new DryRunExecutor({ journal: new SqliteJournal(store), clock, limits: LIMITS, resolution: { enabled: false, minConfidence: 0.8, allowOwnPositions: false }, maxPerMinute: 9 }), store,
    host: new StrategyHost([{ strategy: sure, weight: 1, timeoutMs: 100, options: {} }]), walletAddress: 'w',
    limits: LIMITS,
    payout: payoutModel('current'), resolution: { enabled: false, minConfidence: 0.8, allowOwnPositions: false },
    logger: silentLogger(), backingBudget: budgetLeft,
  });
  return { engine, store };
}

describe('engine and the backing budget', () => {
  it('backs while budget is left', async () => {
    const { engine } = engineWith(() => 5);
    expect((await engine.tick()).backed).toHaveLength(2);
  });

  it('records the spent budget as the reason and backs nothing more', async () => {
    let left = 1;
    const { engine, store } = engineWith(() => left--);
    const s = await engine.tick();
    expect(s.backed).toHaveLength(1);
    const reasons = store.db.prepare(`SELECT reasons_json FROM decisions WHERE action = 'skip'`).pluck().all() as string[];
    expect(reasons[0]).toContain('backing rate budget spent');
  });
});
