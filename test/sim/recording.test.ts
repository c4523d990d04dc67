import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/program.js';
import { parseDuration } from '../../src/sim/recording/duration.js';
import { FeedRecorder } from '../../src/sim/recording/feed-recorder.js';
import { generateRecording } from '../../src/sim/recording/generate-recording.js';
import { http, startSim } from './helpers.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('sim --record', () => {
  it('gives byte-identical recordings and outcomes for the same seed over one simulated day', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-rec-'));
    const a = generateRecording({ seed: 42, durationMs: parseDuration('1d')!, recordPath: join(dir, 'a.jsonl'), outcomesPath: join(dir, 'a.out') });
    const b = generateRecording({ seed: 42, durationMs: parseDuration('1d')!, recordPath: join(dir, 'b.jsonl'), outcomesPath: join(dir, 'b.out') });
    expect(a.polls).toBe(1441);
    expect(sha(join(dir, 'a.jsonl'))).toBe(sha(join(dir, 'b.jsonl')));
    expect(sha(join(dir, 'a.out'))).toBe(sha(join(dir, 'b.out')));
    const c = generateRecording({ seed: 43, durationMs: parseDuration('1h')!, recordPath: join(dir, 'c.jsonl') });
    expect(c.polls).toBe(61);
    expect(sha(join(dir, 'c.jsonl'))).not.toBe(sha(join(dir, 'a.jsonl')));

    const lines = readFileSync(join(dir, 'a.jsonl'), 'utf8').trimEnd().split('\n');
    const first = JSON.parse(lines[0]!);
    expect(Object.keys(first)).toEqual(['t', 'narratives']);
    expect(first.narratives[0]).toEqual({
      id: expect.any(String), title: expect.any(String), thesis: expect.any(String), category: expect.any(String), oracle_status: expect.stringMatching(/open|live|pending/),
      total_backed_sol: expect.any(Number), backer_count: expect.any(Number), challenge_count: expect.any(Number), created_at: expect.any(String),
    });
    expect(JSON.parse(lines[1]!)).toEqual({ t: first.t, prices: { SOL: expect.any(Number), BTC: expect.any(Number), ETH: expect.any(Number), JUP: expect.any(Number), BONK: expect.any(Number) } });
    for (const line of readFileSync(join(dir, 'a.out'), 'utf8').trimEnd().split('\n')) {
      expect(JSON.parse(line)).toEqual({ narrative_id: expect.any(String), outcome: expect.stringMatching(/^(true|false|refund)$/), resolved_at: expect.any(String) });
    }
  });

  it('records the same bytes from a served simulator as from a generated run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-rec-'));
    generateRecording({ seed: 8, durationMs: 2 * 3_600_000, recordPath: join(dir, 'gen.jsonl'), intervalMs: 600_000 });
    const t = await startSim({ seed: 8 });
    try {
      const world = t.sim.state.world;
      const rec = new FeedRecorder({ world, recordPath: join(dir, 'served.jsonl'), intervalMs: 600_000, untilMs: world.startMs + 2 * 3_600_000 });
      for (let i = 0; i < 12; i++) {
        t.clock.advance(10 * 60_000 + 7_000); // polls land between steps: the recording must not care
        await http(t.base, 'GET', '/v1/system/status');
      }
      world.advanceTo(world.startMs + 2 * 3_600_000);
      rec.close();
    } finally {
      await t.sim.stop();
    }
    expect(sha(join(dir, 'served.jsonl'))).toBe(sha(join(dir, 'gen.jsonl')));
  });

  it('writes byte-identical files from two `magma-agent sim --record --duration 1d` runs (the CLI path)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    const out = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      for (const name of ['x', 'y']) {
        const code = await main(['node', 'magma-agent', 'sim', '--seed', '7', '--speed', '60', '--record', join(dir, `${name}.jsonl`),
          '--outcomes', join(dir, `${name}.out`), '--duration', '1d', '--start', '2026-05-01T00:00:00Z', '--data-dir', dir]);
        expect(code).toBe(0);
      }
    } finally {
      process.stdout.write = out;
    }
    expect(sha(join(dir, 'x.jsonl'))).toBe(sha(join(dir, 'y.jsonl')));
    expect(sha(join(dir, 'x.out'))).toBe(sha(join(dir, 'y.out')));
    expect(JSON.parse(readFileSync(join(dir, 'x.jsonl'), 'utf8').split('\n')[0]!).t).toBe('2026-05-01T00:00:00.000Z');
  });

  it('parses durations', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('1d12h')).toBe(36 * 3_600_000);
    expect(parseDuration('90m')).toBe(5_400_000);
    expect(parseDuration('soon')).toBeNull();
  });
});
