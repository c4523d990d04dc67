import { Keypair } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTransport } from '../../src/http/transport.js';
import { SimPriceSource } from '../../src/prices/sim-price-source.js';
import { http, openNarrative, register, rpc, startSim, type TestSim } from './helpers.js';

let t: TestSim;
let key: string;
const wallet = Keypair.generate();
beforeAll(async () => {
  t = await startSim({ seed: 51, fundSol: 0 });
  key = await register(t.base, wallet);
});
afterAll(() => t.sim.stop());

describe('control routes and the rest of the RPC', () => {
  it('airdrops to a wallet that starts empty (--fund 0)', async () => {
    const w = wallet.publicKey.toBase58();
    expect((await rpc(t.base, 'getBalance', [w])).result.value).toBe(0);
    const sig = await rpc(t.base, 'requestAirdrop', [w, 2_000_000_000]);
    expect(typeof sig.result).toBe('string');
    expect((await rpc(t.base, 'getBalance', [w])).result.value).toBe(2_000_000_000);
    expect((await rpc(t.base, 'requestAirdrop', ['not-an-address', 1])).error!.code).toBe(-32602);
  });

  it('shows state and the hidden truth: outcomes only once resolved', async () => {
    const state = (await http(t.base, 'GET', '/__sim/state')).body;
    expect(state).toMatchObject({ seed: 51, program_id: expect.any(String), agents: [{ wallet_address: wallet.publicKey.toBase58() }] });
    t.clock.advance(3 * 86_400_000);
    const truth = (await http(t.base, 'GET', '/__sim/truth')).body.narratives as any[];
    expect(truth.length).toBeGreaterThan(30);
    for (const n of truth) {
      expect(n.true_probability).toBeGreaterThan(0);
      expect(n.true_probability).toBeLessThan(1);
      if (n.status.startsWith('resolved') || n.status === 'refund') expect(n.outcome).toMatch(/^(true|false|refund)$/);
      else expect(n.outcome).toBeNull();
      if (n.category === 'MARKET') expect(n.market).toMatchObject({ asset: expect.any(String), kind: expect.stringMatching(/close|touch/), level: expect.any(Number) });
    }
  });

  it('refuses verdicts while the oracle is halted', async () => {
    await http(t.base, 'POST', '/__sim/faults', { halted: ['oracle'] });
    const status = (await http(t.base, 'GET', '/v1/system/status')).body;
    expect(status).toMatchObject({ operational: true, halted_components: ['oracle'] });
    const n = await openNarrative(t.base, key);
    const r = await http(t.base, 'POST', '/v1/agent/resolve', { narrative_id: n.id, resolution: 'true', evidence: 'x', confidence: 0.9 }, { 'x-api-key': key });
    expect(r.status).toBe(503);
    await http(t.base, 'POST', '/__sim/faults', { halted: [] });
  });

  it('faults the price routes like any other family', async () => {
    const transport = new HttpTransport({ baseUrl: t.base, timeoutMs: 2000, readRetries: 0 });
    try {
      await http(t.base, 'POST', '/__sim/faults', { burst: { family: 'prices', kind: 'html', count: 1 } });
      await expect(new SimPriceSource(transport).getPrice('SOL')).rejects.toMatchObject({ code: 'API_UNAVAILABLE' });
      expect(await new SimPriceSource(transport).getPrice('SOL')).toBeGreaterThan(0);
    } finally {
      await transport.close();
    }
  });
});
