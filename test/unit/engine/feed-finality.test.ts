// The engine with in-memory fakes: a resolution the feed shows settles at once unless the feed item itself says it is
// not final (`is_final: false`, its challenge window open): that one is left to the outcome source, asked at once.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { payoutModel } from '../../../src/core/payout.js';
import { riskLimits } from '../../../src/core/risk.js';
import { Engine } from '../../../src/engine/engine.js';
import { StrategyHost } from '../../../src/engine/strategy-host.js';
import { DryRunExecutor } from '../../../src/executor/dry-run-executor.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { MagmaReadApi } from '../../../src/ports/magma-api.js';
import type { OutcomeSource } from '../../../src/ports/outcome-source.js';
import { SqliteJournal } from '../../../src/store/sqlite-journal.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { narrative } from '../../helpers/narratives.js';

const LIMITS = riskLimits({ minStakeSol: 0.001, maxStakeSol: 1, maxDailySol: 5, maxOpenPositions: 20, maxExposureSol: 10, maxCategoryExposureSol: null, kellyFraction: 0.25, minEdge: 0.02, minBalanceSol: 0.05, scaleIn: false });
const OFF = { enabled: false, minConfidence: 0.8, allowOwnPositions: false };

describe('outcomes the feed shows', () => {
  it('settles a final one from the feed, and asks the outcome source about one still in its challenge window', async () => {
    const clock = new ManualClock(Date.parse('2026-05-20T12:00:00Z'));
    const store = SqliteStore.open(':memory:', { ledger: 'dry-run' });
    const final = narrative({ id: '0b6c1f1e-6f0c-4d7e-9a57-3c1f3e1d2a01', oracleStatus: 'resolved_true' });
    const open = narrative({ id: '0b6c1f1e-6f0c-4d7e-9a57-3c1f3e1d2a02', oracleStatus: 'resolved_false' });
    const api = {
      systemStatus: async () => ({ operational: true, halted: [] }),
      termsStatus: async () => ({ accepted: true, termsVersion: '1' }),
      walletFlag: async () => ({ walletAddress: 'w', flagged: false, blocked: false, flagType: null, reason: null }),
      feed: async () => ({ narratives: [{ narrative: final, raw: { id: final.id } }, { narrative: open, raw: { id: open.id, is_final: false } }], dropped: [] }),
    } satisfies MagmaReadApi;
    const asked: string[][] = [];
    const outcomes: OutcomeSource = { name: 'oracle', scope: 'decided', outcomes: async (ids) => (asked.push([...ids]), []) };
    const engine = new Engine({
      clock, api, chain: { getBalance: async () => 20_000_000_000n, getBlockHeight: async () => 1 },
      executor: new DryRunExecutor({ journal: new SqliteJournal(store), clock, limits: LIMITS, resolution: OFF, maxPerMinute: 9 }), store,
      host: new StrategyHost([{ strategy: { name: 'half', evaluate: () => ({ pTrue: 0.5, confidence: 1 }) }, weight: 1, timeoutMs: 100, options: {} }]),
      walletAddress: 'w', limits: LIMITS, payout: payoutModel('current'), resolution: OFF, logger: silentLogger(), outcomes,
    });
    await engine.tick(); // decides on both
    clock.advance(60_000);
    await engine.tick();
    const recorded = store.db.prepare('SELECT narrative_id, source FROM outcomes').all();
    expect(recorded).toEqual([{ narrative_id: final.id, source: 'feed' }]);
    expect(asked.flat()).toContain(open.id);
    expect(asked.flat()).not.toContain(final.id);
  });
});
