import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { poolOpinions } from '../../../src/core/ensemble.js';
import { forecastLogit, LearnedEnsemble, type TrainingRow } from '../../../src/core/learned-ensemble.js';
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
      learner.model.observeSharpness(nar.category, p, conf); // as the host does: a tick's forecasts, then pooling
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

/** A settled forecast: each strategy's probability (null: none, at confidence 0.8), the pool's at the time, the outcome. */
function row(narrativeId: string, category: string, p: Array<number | null>, pool: number, y: 0 | 1): TrainingRow {
  return { narrativeId, category, x: Float64Array.from(p, (q) => (q === null ? NaN : forecastLogit(q))), conf: Float64Array.from(p, (q) => (q === null ? 0 : 0.8)), pool, y };
}

/** `narratives` settled narratives of two polls each, where a sharp member and a vaguer one spoke, then `y` happened. */
function shared(category: string, narratives: number, y: (i: number) => 0 | 1, sharp = 0.9, vague = 0.6, pool = 0.75): TrainingRow[] {
  return Array.from({ length: narratives }, (_, i) => [0, 1].map(() => row(`${category}-${i}`, category, [sharp, vague], pool, y(i)))).flat();
}

describe('the learning ensemble', () => {
  it('pools as configured while nothing has settled; the sharpest of several speakers, or a lone one, forecasts', () => {
    const model = new LearnedEnsemble(['a', 'b', 'c'], [1, 2, 0.5]);
    const rng = new Rng(5);
    const ticks = Array.from({ length: 20 }, () => Array.from({ length: 10 }, () => {
      const p = [rng.next(), rng.chance(0.3) ? null : rng.next(), rng.next()];
      const conf = [rng.next(), rng.next(), rng.chance(0.2) ? 0 : rng.next()];
      return { p, conf };
    }));
    const sharpness = [0, 0, 0];
    const seen = [0, 0, 0];
    for (const tick of ticks) {
      for (const { p, conf } of tick) model.observeSharpness('X', p, conf); // as the host does, then it pools
      for (const { p, conf } of tick) {
        const speaking = [0, 1, 2].filter((k) => p[k] !== null && conf[k]! > 0);
        if (speaking.length > 1) for (const k of speaking) {
          sharpness[k]! += p[k]! * (1 - p[k]!);
          seen[k]!++;
        }
      }
      for (const { p, conf } of tick) {
        const expected = poolOpinions(p.flatMap((pk, k) => (pk === null ? [] : [{ strategy: String(k), weight: [1, 2, 0.5][k]!, opinion: { pTrue: pk, confidence: conf[k]! } }])));
        const got = model.pool('X', p, conf);
        if (expected === null) {
          expect(got).toBeNull();
          continue;
        }
        // The learned pool's own forecast is the configured pool; the confidence is always the pool's.
        expect(model.lastPooled).toBeCloseTo(expected.pTrue, 12);
        expect(got!.confidence).toBeCloseTo(expected.confidence, 12);
        expect(got!.contributors).toBe(expected.contributors);
        const speaking = [0, 1, 2].filter((k) => p[k] !== null && conf[k]! > 0);
        const mean = (k: number) => sharpness[k]! / seen[k]!;
        const lead = speaking.length === 1 ? speaking[0]! : speaking.reduce((x, y) => (mean(y) < mean(x) ? y : x));
        expect(got!.pTrue).toBe(p[lead]);
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
    // A day on, every settled row is fitted (a refit otherwise waits for a tenth more rows): what a restart refits on.
    learner.refit(new Date(1300 * HOUR).toISOString());
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

  it('a lead judged where several spoke stands in only there; a lone member is its own forecast until calibrating it won', () => {
    // Settled narratives where crowd alone spoke and beat what its calibrated forecast (the pool then) said. Before,
    // that made crowd "lead" its category, and it then stood in for price-threshold on price claims as well.
    const model = new LearnedEnsemble(['price-threshold', 'crowd'], [1, 1]);
    model.observeSharpness('MARKET', [0.95, 0.6], [0.8, 0.8]);
    const rows = Array.from({ length: 30 }, (_, i) => [0, 1, 2].map(() => row(`c${i}`, 'MARKET', [null, 0.7], 0.6, 1))).flat();
    model.fit(rows);
    expect(model.pool('MARKET', [0.95, 0.6], [0.8, 0.8])!.pTrue).toBe(0.95);
    expect(model.pool('MARKET', [null, 0.7], [null, 0.8])!.pTrue).toBe(0.7);
    const market = model.view().groups.find((g) => g.category === 'MARKET')!;
    expect(market.lead).toBe('price-threshold');
    expect(market.strategies.map((s) => s.calibrated)).toEqual([false, false]);
  });

  it('a lone member\'s calibrated forecast stands once it has beaten the member\'s own by more than chance', () => {
    const model = new LearnedEnsemble(['a', 'b'], [1, 1]);
    // b says 0.9 where it is right 60% of the time; its calibrated forecast then (the pool) said 0.6.
    const rows = Array.from({ length: 120 }, (_, i) => row(`n${i}`, 'X', [null, 0.9], 0.6, i % 5 < 3 ? 1 : 0));
    model.fit(rows);
    expect(model.view().groups.find((g) => g.category === 'X')!.strategies[1]!.calibrated).toBe(true);
    expect(model.pool('X', [null, 0.9], [null, 0.8])!.pTrue).toBe(model.lastPooled);
    expect(model.lastPooled).toBeLessThan(0.9);
  });

  it('the pool takes the lead from the sharpest member only by more than chance, over enough narratives', () => {
    const lead = (rows: TrainingRow[]) => {
      const model = new LearnedEnsemble(['model', 'crowd'], [1, 1]);
      model.observeSharpness('X', [0.9, 0.6], [0.8, 0.8]);
      model.fit(rows);
      const got = model.pool('X', [0.9, 0.6], [0.8, 0.8])!.pTrue;
      return { name: model.view().groups.find((g) => g.category === 'X')!.lead, pooled: got === model.lastPooled, got };
    };
    // Where model said 0.9 and the pool 0.75: the pool gains 0.2475 when the claim failed and loses 0.0525 when it held.
    // 8 failures in 40: the pool is ahead, within chance; 20 in 40: ahead by more than chance; 4 narratives: too few.
    expect(lead(shared('X', 40, (i) => (i < 8 ? 0 : 1)))).toMatchObject({ name: 'model', got: 0.9 });
    expect(lead(shared('X', 40, (i) => (i % 2 ? 0 : 1)))).toMatchObject({ name: 'pool', pooled: true });
    expect(lead(shared('X', 4, () => 0))).toMatchObject({ name: 'model', got: 0.9 });
  });

  it('the scale extremizes pools of several members, never a lone member\'s forecast', () => {
    const model = new LearnedEnsemble(['a', 'b'], [1, 1]);
    // Both say 0.7 and the claim holds 19 times in 20: the pool learns to extremize.
    model.fit(shared('X', 60, (i) => (i % 20 ? 1 : 0), 0.7, 0.7, 0.7));
    const x = model.view().groups.find((g) => g.category === 'X')!;
    expect(x.scale).toBeGreaterThan(1.2);
    model.pool('X', [0.7, null], [0.8, null]);
    const a = x.strategies[0]!;
    expect(model.lastPooled).toBeCloseTo(1 / (1 + Math.exp(-(a.a + a.b * Math.log(0.7 / 0.3)))), 12);
  });

  it('never forecasts with a strategy that is not speaking: a lead without confidence or weight falls back to the sharpest', () => {
    const model = new LearnedEnsemble(['a', 'b', 'c'], [1, 1, 0]);
    model.observeSharpness('X', [0.9, 0.6, 0.99], [0.8, 0.8, 0.8]);
    // c forecast best of all, but its configured weight is 0: it never speaks, never leads
    const rows = Array.from({ length: 40 }, (_, i) => [0, 1].map(() => row(`n${i}`, 'X', [0.6, 0.9, i % 2 ? 0.02 : 0.98], 0.75, i % 2 ? 0 : 1))).flat();
    model.fit(rows);
    const x = model.view().groups.find((g) => g.category === 'X')!;
    expect(x.lead).not.toBe('c');
    for (const conf of [[0.8, 0.8, 0.8], [0, 0.8, 0.8], [0.8, 0, 0.8]]) {
      const f = model.pool('X', [0.9, 0.6, 0.3], conf)!;
      const speaking = [0, 1].filter((k) => conf[k]! > 0);
      if (speaking.length > 1) expect([0.9, 0.6, model.lastPooled]).toContain(f.pTrue);
      else expect(f.pTrue).toBe([0.9, 0.6][speaking[0]!]);
      expect(f.pTrue).not.toBe(0.3);
    }
  });

  it('judges a challenger against the sharpest member speaking in each row, not against the pool where that one is silent', () => {
    const model = new LearnedEnsemble(['a', 'b', 'c'], [1, 1, 1]);
    // a is the sharpest overall; where a is silent, b (0.95) is sharper than c (0.7), and b is right.
    for (let i = 0; i < 10; i++) model.observeSharpness('X', [0.99, 0.95, 0.7], [0.8, 0.8, 0.8]);
    const rows = Array.from({ length: 40 }, (_, i) => [0, 1].map(() => row(`n${i}`, 'X', [null, 0.95, 0.7], 0.6, i % 10 ? 1 : 0))).flat();
    model.fit(rows);
    // c beats the pool (0.6) but not b: b, the sharpest speaking, keeps forecasting
    expect(model.pool('X', [null, 0.95, 0.7], [null, 0.8, 0.8])!.pTrue).toBe(0.95);
    expect(model.view().groups.find((g) => g.category === 'X')!.lead).not.toBe('c');
  });

  it('measures sharpness on the samples it keeps: the same lead before and after a restart, not-open narratives aside', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ensemble-')), 'magma.db');
    let store = SqliteStore.open(path, { ledger: 'dry-run' });
    const learner = new EnsembleLearner(['a', 'b'], [1, 1], store, { refitEveryMs: 0 });
    const running = { ...narrative('running', 'MARKET'), oracleStatus: 'running' };
    // As the host runs a tick: every narrative's forecasts are noted, then each is pooled and sampled.
    for (let tick = 0; tick < 30; tick++) {
      const now = tick * HOUR;
      const feed: Array<[Narrative, number[]]> = [[narrative(`live${tick % 3}`, 'MARKET'), [0.9, 0.6]], [running, [0.6, 0.999]]];
      for (const [n, p] of feed) learner.noteSharpness(n, now, p, [0.8, 0.8]);
      for (const [n, p] of feed) {
        learner.model.pool(n.category, p, [0.8, 0.8]);
        learner.observe(n, now, p, [0.8, 0.8]);
      }
    }
    const probe = () => learner.model.pool('MARKET', [0.7, 0.4], [0.8, 0.8])!.pTrue;
    expect(probe()).toBe(0.7); // a, the sharper where backing is open (b's 0.999 was for a narrative not open)
    store.close();
    store = SqliteStore.open(path, { ledger: 'dry-run' });
    const again = new EnsembleLearner(['a', 'b'], [1, 1], store, { refitEveryMs: 0 });
    expect(again.model.pool('MARKET', [0.7, 0.4], [0.8, 0.8])!.pTrue).toBe(0.7);
    store.close();
  });

  it('a lead that is silent, or speaks without confidence, hands over to the sharpest member speaking, not to the pool', () => {
    const model = new LearnedEnsemble(['a', 'b', 'c'], [1, 1, 1]);
    for (let i = 0; i < 10; i++) model.observeSharpness('X', [0.9, 0.7, 0.8], [0.8, 0.8, 0.8]); // a, then c, then b
    // c beat a (and the pool) by far where they spoke: c leads
    const led = Array.from({ length: 30 }, (_, i) => [0, 1].map(() => row(`n${i}`, 'X', [i % 2 ? 0.9 : 0.1, 0.7, i % 2 ? 0.02 : 0.98], 0.5, i % 2 ? 0 : 1))).flat();
    model.fit(led);
    expect(model.view().groups.find((g) => g.category === 'X')!.lead).toBe('c');
    expect(model.pool('X', [0.9, 0.7, 0.8], [0.8, 0.8, 0.8])!.pTrue).toBe(0.8);
    expect(model.pool('X', [0.9, 0.7, null], [0.8, 0.8, null])!.pTrue).toBe(0.9);
    expect(model.pool('X', [0.9, 0.7, 0.8], [0.8, 0.8, 0])!.pTrue).toBe(0.9);
    expect(model.pool('X', [null, 0.7, 0.8], [null, 0.8, 0])!.pTrue).toBe(0.7); // b alone: its own forecast
  });
});
