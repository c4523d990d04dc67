import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { poolOpinions } from '../../../src/core/ensemble.js';
import { LearnedEnsemble } from '../../../src/core/learned-ensemble.js';
import type { Narrative } from '../../../src/core/narrative.js';
import { EnsembleLearner } from '../../../src/engine/ensemble-learner.js';
import { Rng } from '../../../src/sim/world/rng.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';

const HOUR = 3_600_000;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));

function narrative(id: string, category = 'SPORTS'): Narrative {
  return { id, title: id, thesis: id, category, oracleStatus: 'live', totalBackedLamports: 0n, backerCount: 0, challengeCount: 0, createdAt: '2026-01-01T00:00:00.000Z' };
}

/**
 * Narratives with a hidden probability q; strategy k forecasts logit(q) + N(0, noise[k]²). Each is seen at a few
 * hourly decision times, then settles by a draw from q. Returns each strategy's and the ensemble's Brier.
 */
function play(learner: EnsembleLearner, rng: Rng, noise: number[], count: number, from: number, learn: boolean) {
  const sq = new Array(noise.length + 1).fill(0);
  let n = 0;
  for (let i = 0; i < count; i++) {
    const nar = narrative(`n${from + i}`);
    const q = rng.range(0.05, 0.95);
    const y = rng.chance(q) ? 1 : 0;
    for (let h = 0; h < 3; h++) {
      const p = noise.map((s) => sigmoid(logit(q) + s * rng.normal()));
      const conf = noise.map(() => 0.8);
      const f = learner.model.pool(nar.category, p, conf)!;
      learner.observe(nar, (from + i) * 10 * HOUR + h * HOUR, p, conf);
      p.forEach((pk, k) => (sq[k] += (pk - y) ** 2));
      sq[noise.length] += (f.pTrue - y) ** 2;
      n++;
    }
    if (learn) {
      learner.settle(nar.id, y ? 'true' : 'false');
      learner.refit(new Date((from + i) * 10 * HOUR + 5 * HOUR).toISOString());
    }
  }
  return sq.map((s) => s / n);
}

describe('the learning ensemble', () => {
  it('is the configured pool while nothing has settled', () => {
    const model = new LearnedEnsemble(['a', 'b', 'c'], [1, 2, 0.5]);
    const rng = new Rng(5);
    for (let i = 0; i < 200; i++) {
      const p = [rng.next(), rng.chance(0.3) ? null : rng.next(), rng.next()];
      const conf = [rng.next(), rng.next(), rng.chance(0.2) ? 0 : rng.next()];
      const expected = poolOpinions(p.flatMap((pk, k) => (pk === null ? [] : [{ strategy: String(k), weight: [1, 2, 0.5][k]!, opinion: { pTrue: pk, confidence: conf[k]! } }])));
      const got = model.pool('X', p, conf);
      if (expected === null) expect(got).toBeNull();
      else {
        expect(got!.pTrue).toBeCloseTo(expected.pTrue, 12);
        expect(got!.confidence).toBeCloseTo(expected.confidence, 12);
        expect(got!.contributors).toBe(expected.contributors);
      }
    }
  });

  it.each([
    [[0.3, 2.0], 0],
    [[2.0, 0.3], 1],
  ])('moves its weight toward the better strategy when the other is made noisier (noise %j)', (noise, better) => {
    const learner = new EnsembleLearner(['a', 'b'], [1, 1], null, { refitEveryMs: 0 });
    const start = learner.model.view().groups[0]!.strategies.map((s) => s.weight);
    expect(start).toEqual([0.5, 0.5]);
    const rng = new Rng(17);
    play(learner, rng, noise, 300, 0, true);
    const weights = learner.model.view().groups.find((g) => g.category === 'SPORTS')!.strategies.map((s) => s.weight);
    expect(weights[better]!).toBeGreaterThan(0.8);
    // Out of sample (fresh narratives, no more learning): the ensemble is at least as good as its best member.
    const [a, b, ensemble] = play(learner, rng, noise, 300, 1000, false);
    expect(ensemble!).toBeLessThanOrEqual(Math.min(a!, b!) * 1.01);
    // The configured pool on the same narratives would have been clearly worse.
    const fresh = new EnsembleLearner(['a', 'b'], [1, 1], null);
    const [, , unlearned] = play(fresh, new Rng(18), noise, 300, 2000, false);
    expect(ensemble!).toBeLessThan(unlearned!);
  });

  it('stays near equal weights while few narratives have settled (shrunk toward the prior)', () => {
    const learner = new EnsembleLearner(['a', 'b'], [1, 1], null, { refitEveryMs: 0 });
    play(learner, new Rng(3), [0.3, 2.0], 2, 0, true);
    const w = learner.model.view().groups[0]!.strategies.map((s) => s.weight);
    expect(Math.abs(w[0]! - 0.5)).toBeLessThan(0.25);
  });

  it('keeps its samples and weights in the database across a restart, and learns nothing from refunds', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ensemble-')), 'magma.db');
    let store = SqliteStore.open(path, { ledger: 'dry-run' });
    const learner = new EnsembleLearner(['a', 'b'], [1, 1], store, { refitEveryMs: 0 });
    play(learner, new Rng(9), [0.3, 2.0], 120, 0, true);
    // one still open: its samples wait in the database for its outcome
    learner.observe(narrative('open-one'), 5_000 * HOUR, [0.7, 0.4], [0.8, 0.8]);
    learner.observe(narrative('refunded'), 5_000 * HOUR, [0.7, 0.4], [0.8, 0.8]);
    learner.settle('refunded', 'refund');
    const before = learner.model.view();
    const probe = learner.model.pool('SPORTS', [0.8, 0.3], [0.8, 0.8])!.pTrue;
    expect(store.ensembleWeights()!.groups).toEqual(before.groups);
    store.close();

    store = SqliteStore.open(path, { ledger: 'dry-run' });
    const again = new EnsembleLearner(['a', 'b'], [1, 1], store, { refitEveryMs: 0 });
    expect(again.model.pool('SPORTS', [0.8, 0.3], [0.8, 0.8])!.pTrue).toBeCloseTo(probe, 6);
    const loaded = store.loadForecastSamples(10_000);
    expect(loaded.pending.map((s) => s.narrativeId)).toEqual(['open-one']);
    expect(loaded.settled.some((s) => s.narrativeId === 'refunded')).toBe(false);
    expect(loaded.settled).toHaveLength(360);
    // the open one settles after the restart and is learned from; one never told its outcome is dropped after 60 days
    again.observe(narrative('never-settles'), 6_000 * HOUR, [0.6, 0.5], [0.8, 0.8]);
    again.settle('open-one', 'true');
    expect(again.refit('2026-06-01T00:00:00.000Z')).toBe(true);
    expect(store.loadForecastSamples(10_000).settled).toHaveLength(361);
    expect(store.loadForecastSamples(10_000).pending).toEqual([]);
    store.close();
  });
});
