import { Keypair } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, openNarrative, register, startSim, type TestSim } from './helpers.js';

let t: TestSim;
let key: string;
const AUTH = { authorization: `Bearer magus_sk_${'ab'.repeat(16)}` };
beforeAll(async () => {
  t = await startSim({ seed: 61 });
  key = await register(t.base, Keypair.generate());
});
afterAll(() => t.sim.stop());

describe('Magus stand-in at /magus', () => {
  it('answers a narrative question with a deterministic estimate near the hidden truth', async () => {
    const n = await openNarrative(t.base, key);
    const r = await http(t.base, 'POST', '/magus/api/v1/messages', { content: `Will ${n.id} resolve TRUE?`, session_id: 's1' }, AUTH);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: expect.stringMatching(/^msg_/), session_id: 's1', conversation_id: expect.any(String), citations: [], tool_calls: [], attachments: [],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) }, created_at: expect.any(String) });
    const est = JSON.parse(r.body.content) as { p_true: number; confidence: number; reasoning: string };
    expect(est.reasoning).toContain(t.sim.state.world.get(n.id)!.title.slice(0, 40));
    expect(Math.abs(est.p_true - t.sim.state.world.get(n.id)!.trueProbability)).toBeLessThanOrEqual(0.1);
    const again = await http(t.base, 'POST', '/magus/api/v1/messages', { content: `Will ${n.id} resolve TRUE?`, session_id: 's1' }, AUTH);
    expect(again.body.content).toBe(r.body.content);
  });

  it('streams SSE events ending in [DONE], by verbosity', async () => {
    const res = await fetch(`${t.base}/magus/api/v1/messages`, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ content: 'hello', stream: true, verbosity: 'minimal' }) });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const lines = (await res.text()).split('\n').filter((l) => l.startsWith('data: '));
    expect(lines.at(-1)).toBe('data: [DONE]');
    const events = lines.slice(0, -1).map((l) => JSON.parse(l.slice(6)).event);
    expect(events[0]).toBe('session.created');
    expect(events).toContain('text.chunk');
    expect(events).not.toContain('tool.started');
    expect(events.at(-1)).toBe('message.completed');
  });

  it('uses the documented error envelope, including injected failures', async () => {
    expect((await http(t.base, 'POST', '/magus/api/v1/messages', { content: 'x' }, { authorization: 'Bearer nope' })).body).toEqual({ error: { code: 'invalid_api_key', message: 'Invalid API key' } });
    expect((await http(t.base, 'POST', '/magus/api/v1/messages', {}, AUTH)).status).toBe(400);
    await http(t.base, 'POST', '/__sim/faults', { burst: [{ family: 'magus', kind: 'rate-limit', count: 1 }, { family: 'magus', kind: 'error', count: 1, status: 504 }] });
    expect((await http(t.base, 'POST', '/magus/api/v1/messages', { content: 'x' }, AUTH)).body.error.code).toBe('usage_limit_exceeded');
    const timeout = await http(t.base, 'POST', '/magus/api/v1/messages', { content: 'x' }, AUTH);
    expect(timeout.status).toBe(504);
    expect(timeout.body.error.code).toBe('timeout');
  });
});
