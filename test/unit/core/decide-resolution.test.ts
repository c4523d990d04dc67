import { describe, expect, it } from 'vitest';
import { decideResolution, type ResolutionInput } from '../../../src/core/decide-resolution.js';
import { narrative } from '../../helpers/narratives.js';

function input(over: Partial<ResolutionInput> = {}): ResolutionInput {
  return {
    narrative: narrative({ oracleStatus: 'pending' }),
    verdicts: [{ strategy: 'price-threshold', verdict: { resolution: true, confidence: 0.9, evidence: 'SOL closed at 262 on 2026-06-01 (CoinGecko)' } }],
    policy: { enabled: true, minConfidence: 0.8, allowOwnPositions: false },
    gate: { open: true, reason: null },
    holdsPosition: false,
    alreadySubmitted: false,
    ...over,
  };
}

describe('resolution decisions', () => {
  it('resolves an eligible narrative when the verdict clears the threshold', () => {
    const d = decideResolution(input())!;
    expect(d).toMatchObject({ action: 'resolve', resolution: true, confidence: 0.9 });
    expect(d.evidence).toBe('[price-threshold] SOL closed at 262 on 2026-06-01 (CoinGecko)');
  });

  it('never resolves below 0.7, whatever the configured threshold', () => {
    const low = input({ verdicts: [{ strategy: 's', verdict: { resolution: false, confidence: 0.69, evidence: 'e' } }], policy: { enabled: true, minConfidence: 0.5, allowOwnPositions: false } });
    expect(decideResolution(low)!.action).toBe('skip');
    expect(decideResolution(low)!.reasons[0]).toMatch(/below threshold \(0.69 < 0.7\)/);
  });

  it('respects a configured threshold above 0.7', () => {
    const d = decideResolution(input({ verdicts: [{ strategy: 's', verdict: { resolution: true, confidence: 0.75, evidence: 'e' } }] }))!;
    expect(d.reasons[0]).toMatch(/0.75 < 0.8/);
  });

  it('skips a narrative the wallet holds unless allowed', () => {
    expect(decideResolution(input({ holdsPosition: true }))!.reasons[0]).toMatch(/holds a position/);
    expect(decideResolution(input({ holdsPosition: true, policy: { enabled: true, minConfidence: 0.8, allowOwnPositions: true } }))!.action).toBe('resolve');
  });

  it('skips when strategies disagree, when not eligible, when disabled, when already submitted, when the gate is closed', () => {
    const disagree = input({ verdicts: [
      { strategy: 'a', verdict: { resolution: true, confidence: 0.95, evidence: 'x' } },
      { strategy: 'b', verdict: { resolution: false, confidence: 0.9, evidence: 'y' } },
    ] });
    expect(decideResolution(disagree)!.reasons[0]).toMatch(/strategies disagree/);
    expect(decideResolution(input({ narrative: narrative({ oracleStatus: 'resolved_true' }) }))!.reasons[0]).toMatch(/not eligible/);
    expect(decideResolution(input({ policy: { enabled: false, minConfidence: 0.8, allowOwnPositions: false } }))!.reasons[0]).toBe('resolution.enabled is off');
    expect(decideResolution(input({ alreadySubmitted: true }))!.reasons[0]).toMatch(/already submitted/);
    expect(decideResolution(input({ gate: { open: false, reason: 'protocol halted: oracle' } }))!.reasons[0]).toBe('gate closed: protocol halted: oracle');
  });

  it('cuts the evidence to 1,000 characters and records nothing when no verdict was proposed', () => {
    const long = input({ verdicts: [{ strategy: 's', verdict: { resolution: true, confidence: 0.9, evidence: 'x'.repeat(5000) } }] });
    expect(decideResolution(long)!.evidence.length).toBe(1000);
    expect(decideResolution(input({ verdicts: [] }))).toBeNull();
  });
});
