// A pure, incremental Server-Sent Events parser (the WHATWG event-stream rules) for Magus streams. Bytes may arrive
// split anywhere — inside a UTF-8 character, between \r and \n, mid-line — and the parsed messages are the same as
// for the whole stream at once. Magus sends one JSON object per `data:` line; when a server leaves out the blank line
// between events, a `data:` line that follows a complete JSON value (or [DONE]) starts a new message, so both forms
// parse. Oversized lines or messages are refused (a hostile stream must not grow memory without bound).

export interface SseMessage {
  event: string | null;
  data: string;
  id: string | null;
}

export class SseParseError extends Error {
  override readonly name = 'SseParseError';
}

export interface SseParserOptions {
  /** Longest line or message accepted, in characters. */
  maxMessageChars?: number;
}

function isCompleteJson(text: string): boolean {
  if (text === '[DONE]') return true;
  const t = text.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private readonly max: number;
  private buffer = '';
  private data: string[] = [];
  private dataChars = 0;
  private event: string | null = null;
  private lastId: string | null = null;
  private ended = false;

  constructor(options: SseParserOptions = {}) {
    this.max = options.maxMessageChars ?? 4 * 1024 * 1024;
  }

  /** Feeds a chunk; returns the messages it completed. */
  push(chunk: Uint8Array | string): SseMessage[] {
    if (this.ended) throw new SseParseError('the stream already ended');
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    return this.drain(false);
  }

  /** Ends the stream: a last line without a terminator counts; an unterminated message is dispatched. */
  end(): SseMessage[] {
    if (this.ended) return [];
    this.buffer += this.decoder.decode();
    const out = this.drain(true);
    this.ended = true;
    const last = this.dispatch();
    if (last) out.push(last);
    return out;
  }

  private drain(final: boolean): SseMessage[] {
    const out: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      // A \r at the very end may be the first half of \r\n: wait for the next chunk unless the stream ended.
      if (c === 13 && i === this.buffer.length - 1 && !final) break;
      const line = this.buffer.slice(start, i);
      if (c === 13 && this.buffer.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
      const msg = this.line(line);
      if (msg) out.push(...msg);
    }
    this.buffer = this.buffer.slice(start);
    if (final && this.buffer.length) {
      const msg = this.line(this.buffer);
      this.buffer = '';
      if (msg) out.push(...msg);
    }
    if (this.buffer.length > this.max) throw new SseParseError(`an event-stream line longer than ${this.max} characters`);
    return out;
  }

  private line(line: string): SseMessage[] | null {
    if (line === '') {
      const m = this.dispatch();
      return m ? [m] : null;
    }
    if (line.startsWith(':')) return null; // a comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data': {
        const out: SseMessage[] = [];
        if (this.data.length && isCompleteJson(this.data.join('\n'))) {
          const m = this.dispatch();
          if (m) out.push(m);
        }
        this.dataChars += value.length + 1;
        if (this.dataChars > this.max) throw new SseParseError(`an event-stream message longer than ${this.max} characters`);
        this.data.push(value);
        return out.length ? out : null;
      }
      case 'event':
        this.event = value;
        return null;
      case 'id':
        if (!value.includes('\u0000')) this.lastId = value;
        return null;
      default:
        return null; // retry and unknown fields are ignored
    }
  }

  private dispatch(): SseMessage | null {
    const event = this.event;
    this.event = null;
    if (!this.data.length) return null;
    const data = this.data.join('\n');
    this.data = [];
    this.dataChars = 0;
    return { event, data, id: this.lastId };
  }
}

/** Parses a whole stream at once (tests, recorded streams). */
export function parseSse(input: Uint8Array | string, options?: SseParserOptions): SseMessage[] {
  const p = new SseParser(options);
  return [...p.push(input), ...p.end()];
}
