// The operator's pause: persisted in the data directory, read each tick, closing the backing and oracle gates.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateGates } from '../../../src/engine/gates.js';
import { clearPause, pauseReason, pausePath, readPause, writePause } from '../../../src/ops/pause.js';

const open = { status: { halted: [] }, terms: { accepted: true, termsVersion: '1' }, flags: { flagged: false, blocked: false, flagType: null, reason: null } } as unknown as Parameters<typeof evaluateGates>[0];

describe('pause', () => {
  it('persists a pause with its reason until resumed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-pause-'));
    expect(readPause(dir)).toBeNull();
    writePause(dir, 'rebalancing', new Date('2026-05-01T00:00:00Z'));
    expect(readPause(dir)).toEqual({ reason: 'rebalancing', since: '2026-05-01T00:00:00.000Z' });
    expect(clearPause(dir)).toBe(true);
    expect(readPause(dir)).toBeNull();
    expect(clearPause(dir)).toBe(false);
  });

  it('still pauses when the file is garbled: a stop the operator asked for holds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-pause-'));
    writeFileSync(pausePath(dir), '{not json');
    expect(readPause(dir)).toMatchObject({ reason: 'pause file not valid JSON' });
  });

  it('closes both gates with the reason, over gates that would be open', () => {
    expect(evaluateGates(open)).toMatchObject({ backing: { open: true }, resolution: { open: true } });
    const reason = pauseReason({ reason: 'maintenance', since: '2026-05-01T00:00:00.000Z' });
    const g = evaluateGates({ ...open, paused: reason });
    expect(g.backing).toEqual({ open: false, reason: 'paused by the operator since 2026-05-01T00:00:00.000Z (maintenance): `magma-agent resume` lifts it' });
    expect(g.resolution.open).toBe(false);
  });
});
