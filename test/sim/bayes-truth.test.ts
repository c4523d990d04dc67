import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateRecording } from '../../src/sim/recording/generate-recording.js';
import { claimProbabilityAt } from '../../src/sim/world/bayes-truth.js';
import { ASSETS, MINUTES_PER_YEAR } from '../../src/sim/world/price-paths.js';
import { Rng } from '../../src/sim/world/rng.js';

/** The world's own process: each minute the log price moves by N(−s²/2, s²). */
function monteCarlo(kind: 'close' | 'touch', direction: 'above' | 'below', level: number, s: number, steps: number, paths: number): number {
  const rng = new Rng(99);
  let hits = 0;
  for (let k = 0; k < paths; k++) {
    let x = 0;
    let hit = false;
    for (let i = 0; i < steps; i++) {
      x += s * rng.normal() - (s * s) / 2;
      if (kind === 'touch' && (direction === 'above' ? x >= Math.log(level) : x <= Math.log(level))) {
        hit = true;
        break;
      }
    }
    if (kind === 'close') hit = direction === 'above' ? x > Math.log(level) : x < Math.log(level);
    if (hit) hits++;
  }
  return hits / paths;
}

describe('the Bayes-optimal probability of a price claim', () => {
  const s = ASSETS.SOL!.vol / Math.sqrt(MINUTES_PER_YEAR);
  const paths = 20_000; // standard error ≤ 0.0036

  it.each([
    ['touch', 'above', 1.02],
    ['touch', 'below', 0.975],
    ['close', 'above', 1.01],
    ['close', 'below', 0.99],
  ] as const)('matches a Monte Carlo of the world\'s own minute steps (%s %s %s, 10 hours)', (kind, direction, level) => {
    const closed = claimProbabilityAt({ asset: 'SOL', kind, direction, level }, 1, s, 600, false);
    const simulated = monteCarlo(kind, direction, level, s, 600, paths);
    expect(Math.abs(closed - simulated)).toBeLessThan(0.012);
  });

  it('is 1 once a touch level was reached, and decided by the price when no step is left', () => {
    expect(claimProbabilityAt({ asset: 'SOL', kind: 'touch', direction: 'above', level: 2 }, 1, s, 600, true)).toBe(1);
    expect(claimProbabilityAt({ asset: 'SOL', kind: 'close', direction: 'above', level: 2 }, 3, s, 0, false)).toBe(1);
    expect(claimProbabilityAt({ asset: 'SOL', kind: 'close', direction: 'below', level: 2 }, 3, s, 0, false)).toBe(0);
  });
});

describe('sim --record --truth', () => {
  it('writes one truth line per poll, for exactly the poll\'s narratives, without changing the recording', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-truth-'));
    const o = { seed: 23, durationMs: 3 * 86_400_000, intervalMs: 600_000 };
    generateRecording({ ...o, recordPath: join(dir, 'plain.jsonl') });
    const r = generateRecording({ ...o, recordPath: join(dir, 'rec.jsonl'), outcomesPath: join(dir, 'out.jsonl'), truthPath: join(dir, 'truth.jsonl') });
    expect(readFileSync(join(dir, 'rec.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'plain.jsonl'), 'utf8'));
    const polls = readFileSync(join(dir, 'rec.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l)).filter((v) => v.narratives);
    const truth = readFileSync(join(dir, 'truth.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { t: string; p: Record<string, number> });
    expect(truth).toHaveLength(r.polls);
    polls.forEach((poll, i) => {
      expect(truth[i]!.t).toBe(poll.t);
      expect(Object.keys(truth[i]!.p).sort()).toEqual(poll.narratives.map((n: { id: string }) => n.id).sort());
      for (const p of Object.values(truth[i]!.p)) expect(p).toBeGreaterThanOrEqual(0), expect(p).toBeLessThanOrEqual(1);
    });
    // Scored against what happened, the truth beats the probability the world drew at creation (it knows more later).
    const outcomes = new Map(readFileSync(join(dir, 'out.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l)).map((v) => [v.narrative_id, v.outcome]));
    let first = 0;
    let latest = 0;
    let n = 0;
    const seen = new Map<string, { first: number; last: number }>();
    polls.forEach((poll, i) => {
      for (const item of poll.narratives) {
        if (item.category !== 'MARKET' || (item.oracle_status !== 'open' && item.oracle_status !== 'live')) continue;
        const p = truth[i]!.p[item.id]!;
        seen.set(item.id, { first: seen.get(item.id)?.first ?? p, last: p });
      }
    });
    for (const [id, p] of seen) {
      const o = outcomes.get(id);
      if (o !== 'true' && o !== 'false') continue;
      first += (p.first - (o === 'true' ? 1 : 0)) ** 2;
      latest += (p.last - (o === 'true' ? 1 : 0)) ** 2;
      n++;
    }
    expect(n).toBeGreaterThanOrEqual(5);
    expect(latest / n).toBeLessThan(first / n); // the last forecast before the deadline knows more than the first
  });
});
