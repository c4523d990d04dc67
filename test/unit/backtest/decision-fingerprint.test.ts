// The decision fingerprint is a SHA-256 over its records, each followed by a newline: a backing or resolution decision
// is one record, a run of equal skips of one narrative is its first skip's record and "#count". Checked against a
// plain reference (the records built as strings, joined, hashed once) over random decision streams, with texts that
// are not ASCII and texts longer than the fingerprint's write buffer.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/core/decide.js';
import type { ResolutionDecision } from '../../../src/core/decide-resolution.js';
import { reasonKind } from '../../../src/core/reason-kind.js';
import { DecisionFingerprint, fingerprintRecord } from '../../../src/backtest/decision-fingerprint.js';
import { sameDecisionRun } from '../../../src/store/run-tracker.js';

const p9 = (x: number | null) => (x === null ? null : Math.round(x * 1e9) / 1e9);
const line = (d: Pick<Decision, 'narrativeId' | 'action' | 'stakeLamports' | 'pTrue' | 'reasons'>, kind: string) => JSON.stringify([d.narrativeId, kind, d.action, d.stakeLamports.toString(), p9(d.pTrue), d.reasons]);

type Entry = { d: Decision; kind: 'back' } | { d: ResolutionDecision; kind: 'resolve' };

function reference(stream: readonly Entry[]): { sha256: string; records: number } {
  const lines: string[] = [];
  const open = new Map<string, { first: Decision; count: number }>();
  for (const e of stream) {
    const { kind } = e;
    // a resolution decision's record: stake 0, its resolution as the probability
    const d = fingerprintRecord(e.d, kind) as Decision;
    const runnable = kind === 'back' && d.action === 'skip';
    const run = open.get(d.narrativeId);
    if (run && runnable && sameDecisionRun(run.first, d)) {
      run.count++;
      continue;
    }
    if (run) lines.push(`${line(run.first, 'back')}#${run.count}`);
    if (!runnable) {
      open.delete(d.narrativeId);
      lines.push(line(d, kind));
    } else if (run) Object.assign(run, { first: d, count: 1 }); // a narrative's runs keep their place in the closing order
    else open.set(d.narrativeId, { first: d, count: 1 });
  }
  for (const run of open.values()) lines.push(`${line(run.first, 'back')}#${run.count}`);
  return { sha256: createHash('sha256').update(lines.map((l) => `${l}\n`).join('')).digest('hex'), records: lines.length };
}

const SHARED: ReadonlyArray<readonly string[]> = [
  Object.freeze(['edge below risk.minEdge (-0.034 < 0.02)']), Object.freeze(['edge below risk.minEdge (0.001 < 0.02)']),
  Object.freeze(['gate closed: "quoted" \\ — ≥ 😀']), Object.freeze([]), Object.freeze(['stake below risk.minStakeSol', 'kelly 0.10% of bankroll']),
];
const reason = fc.oneof(
  fc.constantFrom('edge below risk.minEdge (-0.034 < 0.02)', 'edge below risk.minEdge (0.001 < 0.02)', 'already holds a position (risk.scaleIn is off)', 'kelly 1.00% of bankroll'),
  fc.string({ maxLength: 8, unit: 'grapheme' }).map((x) => `gate closed: ${x} — ≥ 😀`),
  fc.constant('x'.repeat(30_000)),
);
const decision = fc.record({
  narrativeId: fc.constantFrom('a', 'b', 'c', 'ü', '"q\\', '\ud800'),
  action: fc.constantFrom('skip' as const, 'skip' as const, 'back' as const),
  stakeLamports: fc.bigInt({ min: 0n, max: 10n ** 12n }),
  pTrue: fc.oneof(fc.constant(null), fc.constantFrom(0.1, 0.11, 0.5, 0.93, -0, 1e-10, 5e-10, 1e21, NaN, Infinity), fc.double({ min: 0, max: 1, noNaN: true }), fc.double()),
  // fresh lists, or lists shared (frozen) by many decisions, as the decider hands out
  reasons: fc.oneof(fc.array(reason, { maxLength: 2 }).map((r): readonly string[] => r), fc.constantFrom(...SHARED)),
}).map((d): Decision => ({ ...d, confidence: null, edge: null, expectedValue: null, reasonKinds: d.reasons.map(reasonKind) }));
const resolution = fc.record({
  narrativeId: fc.constantFrom('a', 'b'),
  action: fc.constantFrom('resolve' as const, 'skip' as const),
  resolution: fc.constantFrom(true, false, null),
  reasons: fc.array(reason, { maxLength: 1 }),
}).map((r): ResolutionDecision => ({ ...r, confidence: 0.8, evidence: 'e' }));
const stream = fc.array(fc.oneof(
  { arbitrary: decision.map((d): Entry => ({ d, kind: 'back' })), weight: 6 },
  { arbitrary: resolution.map((d): Entry => ({ d, kind: 'resolve' })), weight: 1 },
), { maxLength: 400 });

describe('decision fingerprint', () => {
  it('equals the plain reference on any stream of decisions', () => {
    fc.assert(fc.property(stream, fc.integer({ min: 1, max: 50 }), (s, repeat) => {
      // repeated, so that runs are long and the bytes cross the write buffer's end many times
      const all = Array.from({ length: repeat }, () => s).flat();
      const f = new DecisionFingerprint();
      for (const e of all) f.add(e.d, e.kind, 0);
      expect(f.digest()).toEqual(reference(all));
    }), { numRuns: 60 });
  });

  it('reads a list of reasons as it is when the record is written, when the list is not frozen', () => {
    const reasons = ['kelly 1.00% of bankroll'];
    const d = (pTrue: number): Decision => ({ narrativeId: 'a', action: 'back', stakeLamports: 5n, pTrue, confidence: null, edge: null, expectedValue: null, reasons });
    const f = new DecisionFingerprint();
    const first = d(0.9);
    f.add(first, 'back', 0);
    reasons[0] = 'kelly 2.00% of bankroll'; // the same array, changed: its new text counts
    const second = d(0.8);
    f.add(second, 'back', 0);
    expect(f.digest()).toEqual(reference([{ d: { ...first, reasons: ['kelly 1.00% of bankroll'] }, kind: 'back' }, { d: second, kind: 'back' }]));
  });

  it('counts only decisions at or before its cut', () => {
    const d: Decision = { narrativeId: 'a', action: 'back', stakeLamports: 1n, pTrue: 0.9, confidence: null, edge: null, expectedValue: null, reasons: [] };
    const f = new DecisionFingerprint(1_000);
    f.add(d, 'back', 1_000);
    f.add(d, 'back', 1_001);
    const digest = f.digest();
    expect(digest).toEqual(reference([{ d, kind: 'back' }]));
    expect(digest.records).toBe(1);
  });
});
