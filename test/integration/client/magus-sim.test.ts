// The Magus client against the simulator's scripted judge: streamed and whole answers at every verbosity, one
// conversation per narrative, and every documented error produced on demand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import { MagmaError } from '../../../src/core/errors.js';
import { HttpTransport } from '../../../src/http/transport.js';
import { MagusClient } from '../../../src/magus/magus-client.js';
import type { MagusEvent } from '../../../src/magus/magus-events.js';
import { judgeNarrative } from '../../../src/magus/magus-judge.js';
import { Simulator } from '../../../src/sim/simulator.js';
import { toNarrative } from '../../../src/magma/schemas.js';
import { toFeedItem } from '../../../src/sim/world/wire.js';
import { MemoryMagusUsage } from '../../helpers/magus.js';

const KEY = 'magus_sk_00112233445566778899aabbccddeeff';


describe('Magus client against the simulator', () => {
  const sim = new Simulator({ seed: 5, speed: 1 });
  let transport: HttpTransport;
  const client = (o: { stream?: boolean; key?: string; events?: MagusEvent[]; usage?: MemoryMagusUsage; cap?: number } = {}) =>
    new MagusClient({
      transport, apiKey: o.key ?? KEY, usage: o.usage ?? new MemoryMagusUsage(), dailyCreditCap: o.cap ?? 100_000, clock: new ManualClock(sim.clock.now()),
      stream: o.stream ?? true, ...(o.events ? { onEvent: (e: MagusEvent) => o.events!.push(e) } : {}),
    });

  beforeAll(async () => {
    const urls = await sim.start();
    transport = new HttpTransport({ baseUrl: urls.magus, timeoutMs: 5000 });
  });
  afterAll(async () => {
    await transport.close();
    await sim.stop();
  });

  it('judges a narrative (streamed) with a strict JSON probability, in its own conversation', async () => {
    const narrative = toNarrative(toFeedItem(sim.state.world.feed(1)[0]!) as never);
    const usage = new MemoryMagusUsage();
    const c = client({ usage });
    const j = await judgeNarrative(c, narrative, { nowMs: sim.state.world.now, deadlineMs: null });
    expect(['true', 'false', 'unsure']).toContain(j.verdict);
    expect(j.pTrue).toBeGreaterThanOrEqual(0);
    expect(j.pTrue).toBeLessThanOrEqual(1);
    expect(j.confidence).toBe(0.6);
    expect(j.credits).toBeGreaterThan(0);
    const again = await c.ask({ content: 'again', sessionId: `narrative-${narrative.id}` });
    const first = await c.ask({ content: 'again', sessionId: `narrative-${narrative.id}` });
    expect(again.conversationId).toBe(first.conversationId);
    expect(usage.calls.every((x) => x.status === 200 && x.credits > 0)).toBe(true);
  });

  // The answer is whole at message.completed (issue 12): the [DONE] after it is not read.
  it.each([
    ['minimal', ['session.created', 'message.started', 'text.chunk', 'message.completed']],
    ['standard', ['session.created', 'message.started', 'tool.started', 'tool.completed', 'text.chunk', 'message.completed']],
    ['full', ['session.created', 'message.started', 'thinking.chunk', 'unknown', 'tool.started', 'tool.progress', 'tool.completed', 'text.chunk', 'message.completed']],
  ] as const)('streams at verbosity %s', async (verbosity, types) => {
    const events: MagusEvent[] = [];
    const reply = await client({ events }).ask({ content: 'Will it rain?', verbosity });
    expect([...new Set(events.map((e) => e.type))]).toEqual(types);
    expect(events.filter((e) => e.type === 'text.chunk').length).toBeGreaterThan(1);
    expect(JSON.parse(reply.content)).toMatchObject({ p_true: expect.any(Number), confidence: expect.any(Number) });
  });

  it('answers whole when not streaming', async () => {
    const reply = await client({ stream: false }).ask({ content: 'Will it rain?', attachments: [{ name: 'a.txt', contentType: 'text/plain', data: new Uint8Array([1, 2, 3]) }] });
    expect(reply.sessionId).toMatch(/^sess_/);
    expect(reply.credits).toBe(reply.promptTokens + reply.completionTokens);
  });

  it.each([
    ['invalid_request', 'MAGUS_BAD_REQUEST'],
    ['invalid_api_key', 'MAGUS_UNAUTHORIZED'],
    ['integration_inactive', 'MAGUS_INACTIVE'],
    ['usage_limit_exceeded', 'MAGUS_USAGE_LIMIT'],
    ['agent_error', 'MAGUS_AGENT_ERROR'],
    ['timeout', 'MAGUS_TIMEOUT'],
    ['internal_error', 'MAGUS_UNAVAILABLE'],
    ['stream_error', 'MAGUS_AGENT_ERROR'],
    ['stream_truncated', 'MAGUS_MALFORMED'],
  ])('produces %s on demand → %s', async (fault, code) => {
    const faulty = new MagusClient({
      transport: new FaultTransport(sim.urls.magus, fault), apiKey: KEY, usage: new MemoryMagusUsage(), dailyCreditCap: 1000, clock: new ManualClock(sim.clock.now()),
    });
    const err = (await faulty.ask({ content: 'x' }).catch((e: unknown) => e)) as MagmaError;
    expect(err).toBeInstanceOf(MagmaError);
    expect(err.code).toBe(code);
  });

  it('also takes the fault as a body field (sim_fault)', async () => {
    const res = await fetch(`${sim.urls.magus}/api/v1/messages`, {
      method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'x', sim_fault: 'integration_inactive' }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: { code: 'integration_inactive', message: 'Integration is disabled or suspended' } });
  });

  it('rejects a key that is not magus_sk_<32 hex>', async () => {
    await expect(client({ key: 'magus_sk_short' }).ask({ content: 'x' })).rejects.toMatchObject({ code: 'MAGUS_UNAUTHORIZED' });
  });
});

/** The transport with one extra header on every request: how a test asks the simulator for a fault. */
class FaultTransport extends HttpTransport {
  constructor(base: string, private readonly fault: string) {
    super({ baseUrl: base, timeoutMs: 5000 });
  }
  override call(c: Parameters<HttpTransport['call']>[0]) {
    return super.call({ ...c, headers: { ...c.headers, 'x-sim-magus-fault': this.fault } });
  }
  override stream(c: Parameters<HttpTransport['stream']>[0]) {
    return super.stream({ ...c, headers: { ...c.headers, 'x-sim-magus-fault': this.fault } });
  }
}
