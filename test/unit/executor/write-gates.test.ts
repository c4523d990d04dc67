// The write gates against what MAGMA says: WriteGates.verdictRefusal decides from MAGMA's own read of a narrative
// whether a verdict may go out (statuses the public texts do not name but that mean a dispute or a resolution hold or
// refuse it); WriteGates.down probes GET /v1/health after a failed call (a 404 there is MAGMA answering: up).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { MagmaLiveness } from '../../../src/executor/magma-liveness.js';
import { WriteGates } from '../../../src/executor/write-gates.js';
import { HttpTransport } from '../../../src/http/transport.js';
import { HttpMagmaApi } from '../../../src/magma/http-magma-api.js';
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

describe('the health probe before a write, after a failed call', () => {
  it('waits while GET /v1/health fails, and goes on when MAGMA answers, even a 404 (no health route: it is up)', async () => {
    let health = 503;
    const server = createServer((req, res) => {
      res.writeHead(req.url === '/v1/health' ? health : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(health === 200 ? { ok: true } : { error: 'nope' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const liveness = new MagmaLiveness();
    const transport = new HttpTransport({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 5_000, readRetries: 0, onCall: (c) => liveness.observe(c) });
    try {
      const gates = new WriteGates(new HttpMagmaApi({ transport, apiKey: () => null }), 'wallet', new ManualClock(0), 5_000, liveness);
      expect(await gates.down()).toBeNull(); // the last call did not fail: no probe
      liveness.observe({ status: null });
      expect(await gates.down()).toMatch(/MAGMA looks down/);
      health = 404;
      liveness.observe({ status: null });
      expect(await gates.down()).toBeNull();
      health = 200;
      liveness.observe({ status: 502 });
      expect(await gates.down()).toBeNull();
    } finally {
      await transport.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
