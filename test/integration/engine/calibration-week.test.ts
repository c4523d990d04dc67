// Issue 6's yardstick: over a simulated week against the simulator, whose true probabilities are known, the
// ensemble forecasts better (lower Brier score) than the crowd strategy alone and than always saying 0.5, and
// dry-run profit and loss is reported. Deterministic: seeded world, manual clock, seeded Magus noise.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../../src/app/agent.js';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { calibrate } from '../../../src/core/calibration.js';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log/logger.js';
import { calibrationByStrategy, pnlSummary } from '../../../src/report/calibration-report.js';
import { Simulator } from '../../../src/sim/simulator.js';
import { startTimeForSeed } from '../../../src/sim/world/world.js';

const SEED = 11;
const HOUR = 3_600_000;
let sim: Simulator;
let agent: Agent;

afterAll(async () => {
  await agent?.close();
  await sim?.stop();
});

describe('a simulated week', () => {
  it('the ensemble beats the crowd alone and always-0.5 on Brier score, and dry-run P&L is settled', async () => {
    const clock = new ManualClock(startTimeForSeed(SEED));
    sim = new Simulator({ seed: SEED, clock });
    const urls = await sim.start();
    const { config } = loadConfig({
      env: {},
      flags: {
        dataDir: mkdtempSync(join(tmpdir(), 'magma-week-')), dryRun: true, 'api.url': urls.api, 'rpc.url': urls.rpc,
        'prices.source': 'sim', 'prices.url': urls.api, 'magus.url': urls.magus, 'magus.apiKey': `magus_sk_${randomBytes(16).toString('hex')}`,
        'magus.dailyCreditCap': 1e9,
        strategies: [
          { name: 'crowd', weight: 1 },
          { name: 'price-threshold', weight: 1 },
          { name: 'magus-judge', weight: 1, timeoutMs: 60_000 },
        ],
      },
    });
    agent = await createAgent({ config, logger: silentLogger(), apiKeyOverride: null, clock, simulatorUrl: urls.api, createWalletIfMissing: true });

    for (let hour = 0; hour < 7 * 24; hour++) {
      await agent.engine.tick();
      clock.advance(HOUR);
    }
    // let the week's last narratives reach their outcomes without new decisions mattering
    for (let hour = 0; hour < 4 * 24; hour += 6) {
      await agent.engine.tick();
      clock.advance(6 * HOUR);
    }

    const c = calibrationByStrategy(agent.store);
    const truth = (await (await request(`${urls.control}/truth`)).body.json()) as { narratives: Array<{ id: string; true_probability: number; outcome: string | null }> };
    const scored = new Set(agent.store.db.prepare(`SELECT narrative_id FROM outcomes WHERE outcome IN ('true','false')`).pluck().all() as string[]);
    const best = calibrate(truth.narratives.filter((n) => scored.has(n.id) && n.outcome !== null && n.outcome !== 'refund')
      .map((n) => ({ pTrue: n.true_probability, outcome: n.outcome === 'true' })));
    const pnl = pnlSummary(agent.store);
    const figures = {
      scored: c.ensemble?.n, ensemble: c.ensemble?.brier, crowd: c.crowd?.brier, priceThreshold: c['price-threshold']?.brier,
      priceThresholdN: c['price-threshold']?.n, magus: c['magus-judge']?.brier, truth: best.brier, always05: 0.25,
      settled: pnl.settled, won: pnl.won, lost: pnl.lost, pnlSol: Number(pnl.pnlLamports) / 1e9, open: pnl.openPositions,
    };
    console.log(`calibration over a simulated week: ${JSON.stringify(figures)}`);

    expect(c.ensemble!.n).toBeGreaterThanOrEqual(50);
    expect(c.ensemble!.brier!).toBeLessThan(c.crowd!.brier!);
    expect(c.ensemble!.brier!).toBeLessThan(0.25);
    expect(c.crowd!.brier!).toBeLessThan(0.25);
    expect(pnl.settled).toBeGreaterThan(0);
    // every settled position's P&L follows the current payout rule: +5.91% on TRUE, −35% on FALSE
    const rows = agent.store.db.prepare(`SELECT outcome, stake_lamports, pnl_lamports FROM backings WHERE outcome IS NOT NULL`).safeIntegers(true).all() as Array<{ outcome: string; stake_lamports: bigint; pnl_lamports: bigint }>;
    for (const r of rows) {
      const expected = r.outcome === 'true' ? (r.stake_lamports * 59_100n) / 1_000_000n : r.outcome === 'false' ? -(r.stake_lamports * 350_000n) / 1_000_000n : 0n;
      expect(r.pnl_lamports).toBe(expected);
    }
  }, 240_000);
});
