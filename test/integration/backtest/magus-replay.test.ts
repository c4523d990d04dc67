// issue 17: a backtest replays the Magus answers a recording holds (`export` writes them from the database) and
// never calls Magus: the judge's opinions appear without any Magus configured.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../../src/backtest/run-backtest.js';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log/logger.js';
import { toNarrative } from '../../../src/magma/schemas.js';
import { judgeVersion } from '../../../src/magus/magus-judge.js';
import { generateRecording } from '../../../src/sim/recording/generate-recording.js';

describe('backtest with recorded Magus answers', () => {
  it('replays them as the magus-judge strategy\'s opinions, with no Magus configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magus-replay-'));
    const rec = join(dir, 'rec.jsonl');
    const out = join(dir, 'out.jsonl');
    generateRecording({ seed: 31, durationMs: 2 * 86_400_000, intervalMs: 20 * 60_000, recordPath: rec, outcomesPath: out });
    const lines = readFileSync(rec, 'utf8').trimEnd().split('\n');
    const first = JSON.parse(lines[0]!) as { t: string; narratives: Array<Record<string, unknown>> };
    // An answer for each narrative of the first poll, as the daemon's export writes them (before the poll).
    const answers = first.narratives.map((item) => {
      const n = toNarrative(item as never);
      return JSON.stringify({ t: first.t, magus: { narrative_id: n.id, version: judgeVersion(n), p_true: 0.8, confidence: 0.9, verdict: 'true', reasoning: 'recorded' } });
    });
    writeFileSync(rec, [...answers, ...lines].join('\n') + '\n');
    const { config } = loadConfig({ env: {}, flags: { strategies: [{ name: 'crowd' }, { name: 'magus-judge' }] } });
    expect(config.magus.url).toBeNull();
    const r = await runBacktest({ config, recording: rec, outcomes: out, bankrollSol: 20, logger: silentLogger() });
    expect(r.recording.magusLines).toBe(answers.length);
    expect(r.calibration['magus-judge']?.n ?? 0).toBeGreaterThan(0);
    expect(r.summary.strategyErrors).toBe(0);

    // A walk-forward segment that starts after the answers' polls (read but not parsed: skipPollsBeforeMs) still
    // gets them: they cross with the first poll delivered.
    const firstMs = Date.parse(first.t);
    const long = loadConfig({ env: {}, flags: { strategies: [{ name: 'magus-judge', options: { refreshHours: 72 } }] } }).config;
    const segment = await runBacktest({ config: long, recording: rec, outcomes: out, bankrollSol: 20, logger: silentLogger(), startAtMs: firstMs + 86_400_000 });
    expect(segment.decided.fromT).toBeGreaterThanOrEqual(firstMs + 86_400_000);
    expect(segment.calibration['magus-judge']?.n ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
