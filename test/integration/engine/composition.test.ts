// Every mode goes through the one composition (src/app/compose-engine.ts) and gets the same guard stack from the same
// config: live, dry-run (both against the simulator) and a backtest of a recording.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../../src/backtest/run-backtest.js';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { loadConfig } from '../../../src/config/load.js';
import { DryRunExecutor } from '../../../src/executor/dry-run-executor.js';
import { LiveExecutor } from '../../../src/executor/live-executor.js';
import { silentLogger } from '../../../src/log/logger.js';
import { Simulator } from '../../../src/sim/simulator.js';
import { startTimeForSeed } from '../../../src/sim/world/world.js';
import { createAgent } from '../../../src/app/agent.js';
import { ROOT } from '../../helpers/cli.js';

const flags = { 'risk.maxStakeSol': 0.4, 'risk.maxDailySol': 3, 'risk.maxOpenPositions': 7, 'backing.maxPerMinute': 4, 'resolution.enabled': true, 'resolution.minConfidence': 0.9 };

describe('one composition for every mode', () => {
  it('wires the same executor guards into live, dry-run and backtest', async () => {
    const clock = new ManualClock(startTimeForSeed(5));
    const sim = new Simulator({ seed: 5, clock });
    const urls = await sim.start();
    const dir = mkdtempSync(join(tmpdir(), 'magma-compose-'));
    const config = (dryRun: boolean, sub: string) => loadConfig({ env: {}, flags: { ...flags, dryRun, dataDir: join(dir, sub), 'api.url': urls.api, 'rpc.url': urls.rpc } as never }).config;
    const live = await createAgent({ config: config(false, 'live'), logger: silentLogger(), apiKeyOverride: null, clock, createWalletIfMissing: true });
    const dry = await createAgent({ config: config(true, 'dry'), logger: silentLogger(), apiKeyOverride: null, clock, createWalletIfMissing: true });
    try {
      const recording = join(dir, 'r.jsonl');
      execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'sim', '--seed', '5', '--record', recording, '--duration', '2h'], { stdio: 'ignore' });
      const backtest = await runBacktest({ config: config(true, 'bt'), recording, bankrollSol: 20, logger: silentLogger() });
      const { holds: _l, ...liveGuards } = live.guards;
      const { holds: _d, ...dryGuards } = dry.guards;
      const { holds: _b, ...backtestGuards } = backtest.guards;
      expect(liveGuards).toEqual({ limits: expect.objectContaining({ maxOpenPositions: 7, maxStake: 400_000_000n, maxDaily: 3_000_000_000n }), maxPerMinute: 4, resolution: { enabled: true, minConfidence: 0.9, allowOwnPositions: false } });
      expect(dryGuards).toEqual(liveGuards);
      expect(backtestGuards).toEqual(liveGuards);
      // Only the executor differs, and only by mode: one sends, the others journal.
      expect(live.executor).toBeInstanceOf(LiveExecutor);
      expect(dry.executor).toBeInstanceOf(DryRunExecutor);
    } finally {
      await live.close();
      await dry.close();
      await sim.stop();
    }
  });
});
