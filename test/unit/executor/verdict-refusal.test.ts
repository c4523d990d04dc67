// WriteGates.verdictRefusal decides from MAGMA's own read of a narrative whether a verdict may go out: statuses the
// public texts do not name but that mean a dispute or a resolution (`disputed`, `resolved` without a side, a read with
// `resolved_at`) hold or refuse the verdict instead of letting it through.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { WriteGates } from '../../../src/executor/write-gates.js';
import { parseNarrativeDetail } from '../../../src/magma/narrative-schemas.js';
import type { MagmaApi } from '../../../src/ports/magma-api.js';

function gatesReading(body: Record<string, unknown>): WriteGates {
  const api = { narrative: async () => parseNarrativeDetail({ id: 'n1', ...body })! } as unknown as MagmaApi;
  return new WriteGates(api, 'wallet', new ManualClock(Date.parse('2026-12-01T00:00:00Z')));
}

describe('a verdict waits for or is refused by what MAGMA says of the narrative', () => {
  it('goes out on an open narrative', async () => {
    expect(await gatesReading({ oracle_status: 'pending' }).verdictRefusal('n1')).toBeNull();
    expect(await gatesReading({ status: 'live' }).verdictRefusal('n1')).toBeNull();
  });

  it('waits while disputed under any name', async () => {
    for (const status of ['under_review', 'running', 'disputed', 'challenged']) {
      expect(await gatesReading({ oracle_status: status }).verdictRefusal('n1')).toMatchObject({ final: false, why: expect.stringMatching(/review|running|disputed|challenged/) });
    }
  });

  it('is refused for good once resolved, with or without a side named', async () => {
    expect(await gatesReading({ status: 'resolved', resolution: 'TRUE' }).verdictRefusal('n1')).toMatchObject({ final: true, why: expect.stringContaining('resolved_true') });
    expect(await gatesReading({ status: 'resolved' }).verdictRefusal('n1')).toMatchObject({ final: true });
    expect(await gatesReading({ status: 'closed', resolved_at: '2026-11-30T00:00:00Z' }).verdictRefusal('n1')).toMatchObject({ final: true });
    expect(await gatesReading({ oracle_status: 'resolved_false', is_final: false, challenge_window_closes_at: '2026-12-02T00:00:00Z' }).verdictRefusal('n1'))
      .toMatchObject({ final: true, why: expect.stringContaining('challenge window decides it until 2026-12-02T00:00:00Z') });
  });
});
