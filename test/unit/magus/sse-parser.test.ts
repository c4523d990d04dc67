import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toMagusEvent } from '../../../src/magus/magus-events.js';
import { parseSse, SseParseError, SseParser, type SseMessage } from '../../../src/magus/sse-parser.js';

const enc = new TextEncoder();

/** Splits bytes at the given cut points (sorted, deduplicated) and parses chunk by chunk. */
function parseChunked(bytes: Uint8Array, cuts: number[]): SseMessage[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const p = new SseParser();
  const out: SseMessage[] = [];
  let prev = 0;
  for (const c of [...points, bytes.length]) {
    out.push(...p.push(bytes.subarray(prev, c)));
    prev = c;
  }
  out.push(...p.end());
  return out;
}

const magusEvent = fc.oneof(
  fc.record({ event: fc.constant('text.chunk'), delta: fc.string({ unit: 'grapheme', maxLength: 40 }) }),
  fc.record({ event: fc.constant('thinking.chunk'), delta: fc.string({ unit: 'binary', maxLength: 20 }) }),
  fc.record({ event: fc.constantFrom('session.created', 'message.started', 'tool.started', 'tool.progress', 'tool.completed', 'made.up') }),
  fc.record({ event: fc.constant('message.completed'), usage: fc.record({ prompt_tokens: fc.nat(), completion_tokens: fc.nat() }) }),
);
const lineEnd = fc.constantFrom('\n', '\r\n', '\r');

/** A valid Magus stream: JSON data lines, with or without blank lines between events, any line ending. */
const validStream = fc.record({
  events: fc.array(magusEvent, { maxLength: 12 }),
  eol: lineEnd,
  blank: fc.boolean(),
  comments: fc.boolean(),
}).map(({ events, eol, blank, comments }) => {
  const parts = events.map((e) => `${comments ? `: keep-alive${eol}` : ''}data: ${JSON.stringify(e)}${eol}${blank ? eol : ''}`);
  return { text: parts.join('') + `data: [DONE]${eol}${eol}`, events };
});

describe('SSE parser', () => {
  it('parses the seed example: several events, then [DONE]', () => {
    const text = [
      'data: {"event": "session.created", "session_id": "my-session-1", "conversation_id": "uuid"}',
      'data: {"event": "message.started", "message_id": "msg_abc123"}',
      'data: {"event": "text.chunk", "delta": "Hello! "}',
      'data: {"event": "text.chunk", "delta": "How can I help you today?"}',
      'data: {"event": "message.completed", "message_id": "msg_abc123", "usage": {"prompt_tokens": 150, "completion_tokens": 25}}',
      'data: [DONE]',
      '',
    ].join('\n\n');
    const events = parseSse(text).map(toMagusEvent);
    expect(events.map((e) => e.type)).toEqual(['session.created', 'message.started', 'text.chunk', 'text.chunk', 'message.completed', 'done']);
    expect(events[4]).toMatchObject({ usage: { promptTokens: 150, completionTokens: 25 } });
  });

  it('handles an event split across chunks, several events in one chunk, CRLF and a split \\r\\n', () => {
    const p = new SseParser();
    expect(p.push('data: {"event":"text.ch')).toEqual([]);
    expect(p.push('unk","delta":"a"}\r')).toEqual([]);
    const got = p.push('\n\r\ndata: {"event":"text.chunk","delta":"b"}\r\n\r\ndata: [DONE]\r\n\r\n');
    expect(got.map((m) => toMagusEvent(m))).toEqual([{ type: 'text.chunk', delta: 'a' }, { type: 'text.chunk', delta: 'b' }, { type: 'done' }]);
  });

  it('keeps a UTF-8 character split across chunks intact', () => {
    const bytes = enc.encode('data: {"event":"text.chunk","delta":"€🔥"}\n\n');
    const out = parseChunked(bytes, [36, 37, 39, 40, 41]);
    expect(toMagusEvent(out[0]!)).toEqual({ type: 'text.chunk', delta: '€🔥' });
  });

  it('marks unknown events and error events', () => {
    const [u, e] = parseSse('data: {"event":"quantum.flux"}\n\ndata: {"event":"error","message":"agent crashed"}\n\n').map(toMagusEvent);
    expect(u).toEqual({ type: 'unknown', name: 'quantum.flux' });
    expect(e).toEqual({ type: 'error', code: null, message: 'agent crashed' });
  });

  it('for any chunking of a valid stream, the messages equal the unchunked parse', () => {
    fc.assert(fc.property(validStream, fc.array(fc.nat(), { maxLength: 30 }), ({ text, events }, cuts) => {
      const bytes = enc.encode(text);
      const whole = parseSse(bytes);
      expect(parseChunked(bytes, cuts)).toEqual(whole);
      // and nothing is lost or invented: every event comes back, then [DONE]
      expect(whole.map((m) => JSON.parse(m.data === '[DONE]' ? '"[DONE]"' : m.data))).toEqual([...events, '[DONE]']);
    }), { numRuns: 400 });
  });

  it('never crashes on random bytes in random chunks (at most a typed parse error) and is chunk-invariant', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
      let whole: SseMessage[] | Error;
      try {
        whole = parseSse(bytes);
      } catch (err) {
        whole = err as Error;
      }
      if (whole instanceof Error) {
        expect(whole).toBeInstanceOf(SseParseError);
        return;
      }
      expect(parseChunked(bytes, cuts)).toEqual(whole);
      for (const m of whole) expect(() => toMagusEvent(m)).not.toThrow();
    }), { numRuns: 400 });
  });

  it('turns hostile data into typed events, never exceptions', () => {
    fc.assert(fc.property(fc.oneof(fc.json(), fc.string(), fc.jsonValue().map((v) => JSON.stringify({ event: 'text.chunk', delta: v })),
      fc.jsonValue().map((v) => JSON.stringify({ event: 'message.completed', usage: v }))), (data) => {
      const e = toMagusEvent({ event: null, data, id: null });
      expect(typeof e.type).toBe('string');
      if (e.type === 'message.completed' && e.usage) {
        expect(Number.isSafeInteger(e.usage.promptTokens) && e.usage.promptTokens >= 0).toBe(true);
      }
    }), { numRuns: 400 });
  });

  it('refuses an endless line instead of growing without bound', () => {
    const p = new SseParser({ maxMessageChars: 1000 });
    expect(() => {
      for (let i = 0; i < 100; i++) p.push('data: ' + 'x'.repeat(100));
    }).toThrow(SseParseError);
    expect(() => parseSse('data: ' + 'y'.repeat(2000) + '\n\n', { maxMessageChars: 1000 })).toThrow(SseParseError);
  });
});
