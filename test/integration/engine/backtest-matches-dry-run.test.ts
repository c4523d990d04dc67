// Modes differ only in adapters: a dry-run against the simulator, then a backtest of the recording that run made
// (its own feed, exported), decide the same — the same backings with the same stakes, the same skips and reasons.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../../src/backtest/run-backtest.js';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log/logger.js';
import { exportRecording } from '../../../src/report/export-recording.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { startSimAgent } from '../../helpers/sim-agent.js';

// The crowd reads only the feed and its history, both in the recording (a price strategy would read price history,
// which a recording holds only as the spot prices the agent fetched).
const FLAGS = { strategies: [{ name: 'crowd' }], 'risk.maxStakeSol': 0.5, 'risk.maxOpenPositions': 6 };

describe('a backtest of a dry-run\'s recording', () => {
  it('makes the decisions the dry-run made', async () => {
    const t = await startSimAgent({ seed: 9, flags: FLAGS });
    const dbPath = t.agent.dbPath;
    try {
      for (let i = 0; i < 30; i++) {
        await t.agent.engine.tick();
        t.clock.advance(60_000);
      }
    } finally {
      await t.close();
    }
    const dry = SqliteStore.open(dbPath, { ledger: 'dry-run' });
    const recording = join(mkdtempSync(join(tmpdir(), 'magma-bt-dry-')), 'run.jsonl');
    let dryRun;
    try {
      expect(exportRecording(dry, recording).polls).toBe(30);
      dryRun = dry.runSummary(1_000);
    } finally {
      dry.close();
    }
    const { config } = loadConfig({ env: {}, flags: { ...FLAGS, dryRun: true, dataDir: mkdtempSync(join(tmpdir(), 'magma-bt-cfg-')) } as never });
    const backtest = await runBacktest({ config, recording, bankrollSol: 20, logger: silentLogger() });
    {
      const bt = backtest.summary;
      expect(dryRun.decisions.back).toBeGreaterThan(0); // the run did back something: the comparison has content
      expect(bt.decisions).toEqual(dryRun.decisions);
      expect(bt.stakedLamports).toBe(dryRun.stakedLamports);
      expect(bt.topSkipReasons).toEqual(dryRun.topSkipReasons);
      const key = (b: { narrativeId: string; stakeLamports: bigint; at: string }) => `${b.at} ${b.narrativeId} ${b.stakeLamports}`;
      expect(bt.backs.map(key)).toEqual(dryRun.backs.slice(0, bt.backs.length).map(key));
    }
  }, 120_000);
});
