// Ctrl-C before the replay's first poll (while the backtest starts up) is a backtest stopped early with nothing
// replayed, not a recording that "holds no polls" (which would exit 2 instead of 130 and blame the recording).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../../src/backtest/run-backtest.js';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log/logger.js';
import { isMagmaError } from '../../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'magma-bt-stopped-'));
const recording = join(dir, 'r.jsonl');
writeFileSync(recording, Array.from({ length: 50 }, (_, i) => JSON.stringify({
  t: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
  narratives: [{ id: '0b6f1c8e-1d7a-4a55-9a5e-2f3c4d5e6f70', title: 'N', thesis: 'It happens.', category: 'CRYPTO', oracle_status: 'open', total_backed_sol: 1, backer_count: i, challenge_count: 0, created_at: '2026-01-01T00:00:00.000Z' }],
})).join('\n') + '\n');
const config = (sub: string) => loadConfig({ env: {}, flags: { dryRun: true, dataDir: join(dir, sub) } as never }).config;

describe('a backtest stopped before its first poll', () => {
  it('returns an empty result marked stopped early', async () => {
    const controller = new AbortController();
    controller.abort();
    const r = await runBacktest({ config: config('a'), recording, bankrollSol: 20, logger: silentLogger(), signal: controller.signal });
    expect(r.stoppedEarly).toBe(true);
    expect(r.recording.polls).toBe(0);
    expect(r.summary.decisions.back).toBe(0);
    expect(r.warnings.join('\n')).toMatch(/stopped early \(Ctrl-C\) after 0 polls/);
  });

  it('still says an empty recording holds no polls when nothing stopped it', async () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const err = await runBacktest({ config: config('b'), recording: empty, bankrollSol: 20, logger: silentLogger() }).catch((e: unknown) => e);
    expect(isMagmaError(err, 'USAGE')).toBe(true);
    expect((err as Error).message).toMatch(/holds no polls/);
  });
});
