import { describe, expect, it } from 'vitest';
import { MagmaError } from '../../../src/core/errors.js';
import { evaluateGates, type GateInputs } from '../../../src/engine/gates.js';

const ok: GateInputs = {
  status: { operational: true, halted: [] },
  terms: { accepted: true, termsVersion: '2026-03' },
  flags: { walletAddress: 'w', flagged: false, blocked: false, flagType: null, reason: null },
};

describe('gates', () => {
  it('open when nothing is halted, terms are accepted and the wallet is clean', () => {
    expect(evaluateGates(ok)).toEqual({ backing: { open: true, reason: null }, resolution: { open: true, reason: null } });
  });

  it('a halted backing component closes backing only; oracle closes resolution only; all closes both', () => {
    const backing = evaluateGates({ ...ok, status: { operational: true, halted: ['backing'] } });
    expect(backing.backing.reason).toBe('protocol halted: backing');
    expect(backing.resolution.open).toBe(true);
    const oracle = evaluateGates({ ...ok, status: { operational: true, halted: ['oracle'] } });
    expect(oracle.backing.open).toBe(true);
    expect(oracle.resolution.reason).toBe('protocol halted: oracle');
    const all = evaluateGates({ ...ok, status: { operational: false, halted: ['all'] } });
    expect([all.backing.open, all.resolution.open]).toEqual([false, false]);
    // withdrawals or submissions halted do not stop backing
    expect(evaluateGates({ ...ok, status: { operational: true, halted: ['withdrawals', 'submissions'] } }).backing.open).toBe(true);
  });

  it('terms not accepted close every write and say what to do', () => {
    const g = evaluateGates({ ...ok, terms: { accepted: false, termsVersion: null } });
    expect(g.backing.reason).toMatch(/accept the latest terms .* in the MAGMA app/);
    expect(g.resolution.open).toBe(false);
  });

  it('a flagged or blocked wallet closes every write', () => {
    const blocked = evaluateGates({ ...ok, flags: { walletAddress: 'w', flagged: true, blocked: true, flagType: 'sybil', reason: 'cluster' } });
    expect(blocked.backing.reason).toBe('wallet blocked (sybil: cluster): resolve it with MAGMA support before writing');
    expect(evaluateGates({ ...ok, flags: { walletAddress: 'w', flagged: true, blocked: false, flagType: null, reason: null } }).backing.open).toBe(false);
  });

  it('what cannot be read closes the gate, except a flag check the API does not serve', () => {
    expect(evaluateGates({ ...ok, status: new Error('timeout') }).backing.reason).toBe('system status unknown (timeout)');
    expect(evaluateGates({ ...ok, terms: new Error('502') }).backing.open).toBe(false);
    expect(evaluateGates({ ...ok, flags: new MagmaError('API_UNAVAILABLE', '502') }).backing.open).toBe(false);
    expect(evaluateGates({ ...ok, flags: new MagmaError('API_NOT_FOUND', '404') }).backing.open).toBe(true);
  });
});
