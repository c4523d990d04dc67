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

/**
 * Tells, as data lines arrive, whether the message's data so far is one complete JSON object or array (or [DONE]).
 * Each character is looked at once and JSON.parse runs at most once per message (when the brackets first balance),
 * so a stream of many data lines costs time linear in its length.
 */
class JsonCompleteness {
  private state: 'empty' | 'open' | 'balanced' | 'complete' | 'invalid' = 'empty';
  private depth = 0;
  private inString = false;
  private escape = false;

  reset(): void {
    this.state = 'empty';
    this.depth = 0;
    this.inString = false;
    this.escape = false;
  }

  /** Takes the next data line (joined to the previous ones by a newline); `all` gives the whole data when needed. */
  add(line: string, all: () => string): void {
    for (let i = 0; i < line.length && this.state !== 'invalid'; i++) {
      const c = line.charCodeAt(i);
      if (this.state === 'empty') {
        if (c === 32 || c === 9 || c === 10 || c === 13) continue;
        if (c === 123 || c === 91) {
          this.state = 'open';
          this.depth = 1;
        } else {
          this.state = 'invalid';
        }
      } else if (this.state === 'open') {
        if (this.inString) {
          if (this.escape) this.escape = false;
          else if (c === 92) this.escape = true;
          else if (c === 34) this.inString = false;
        } else if (c === 34) {
          this.inString = true;
        } else if (c === 123 || c === 91) {
          this.depth++;
        } else if ((c === 125 || c === 93) && --this.depth === 0) {
          this.state = 'balanced';
        }
      } else if (c !== 32 && c !== 9 && c !== 10 && c !== 13) {
        // after the value closed, only whitespace may follow
        this.state = 'invalid';
      }
    }
    if (this.state === 'balanced') {
      const text = all();
      let ok = text === '[DONE]';
      if (!ok) {
        try {
          JSON.parse(text);
          ok = true;
        } catch {
          ok = false;
        }
      }
      // A value that is not valid when its brackets balance never becomes valid with more text.
      this.state = ok ? 'complete' : 'invalid';
    }
  }

  get complete(): boolean {
    return this.state === 'complete';
  }
}

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private readonly max: number;
  /** The unfinished line's pieces (joined once, when its end arrives: linear however it was split). */
  private carry: string[] = [];
  private carryChars = 0;
  /** The last chunk ended with \r: a \n first in the next one belongs to it. */
  private sawCr = false;
  private data: string[] = [];
  private dataChars = 0;
  private readonly json = new JsonCompleteness();
  private event: string | null = null;
  private lastId: string | null = null;
  private ended = false;

  constructor(options: SseParserOptions = {}) {
    this.max = options.maxMessageChars ?? 4 * 1024 * 1024;
  }

  /** Feeds a chunk; returns the messages it completed. */
  push(chunk: Uint8Array | string): SseMessage[] {
    if (this.ended) throw new SseParseError('the stream already ended');
    return this.drain(typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }), false);
  }

  /** Ends the stream: a last line without a terminator counts; an unterminated message is dispatched. */
  end(): SseMessage[] {
    if (this.ended) return [];
    const out = this.drain(this.decoder.decode(), true);
    this.ended = true;
    const last = this.dispatch();
    if (last) out.push(last);
    return out;
  }

  private takeLine(tail: string): string {
    if (!this.carry.length) return tail;
    const line = this.carry.join('') + tail;
    this.carry = [];
    this.carryChars = 0;
    return line;
  }

  private drain(text: string, final: boolean): SseMessage[] {
    const out: SseMessage[] = [];
    let start = 0;
    let i = 0;
    if (this.sawCr && text.length) {
      this.sawCr = false;
      if (text.charCodeAt(0) === 10) start = i = 1;
    }
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const line = this.takeLine(text.slice(start, i));
      if (c === 13) {
        if (i + 1 === text.length) this.sawCr = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
      this.line(line, out);
    }
    if (start < text.length) {
      this.carry.push(start === 0 ? text : text.slice(start));
      this.carryChars += text.length - start;
    }
    if (this.carryChars > this.max) throw new SseParseError(`an event-stream line longer than ${this.max} characters`);
    if (final && this.carryChars) this.line(this.takeLine(''), out);
    return out;
  }

  private line(line: string, out: SseMessage[]): void {
    if (line === '') {
      const m = this.dispatch();
      if (m) out.push(m);
      return;
    }
    if (line.startsWith(':')) return; // a comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data': {
        if (this.data.length && this.json.complete) {
          const m = this.dispatch();
          if (m) out.push(m);
        }
        this.dataChars += value.length + 1;
        if (this.dataChars > this.max) throw new SseParseError(`an event-stream message longer than ${this.max} characters`);
        if (this.data.length) this.json.add('\n', () => '');
        this.data.push(value);
        this.json.add(value, () => this.data.join('\n'));
        return;
      }
      case 'event':
        this.event = value;
        return;
      case 'id':
        if (!value.includes('\u0000')) this.lastId = value;
        return;
      default:
        return; // retry and unknown fields are ignored
    }
  }

  private dispatch(): SseMessage | null {
    const event = this.event;
    this.event = null;
    if (!this.data.length) return null;
    const data = this.data.join('\n');
    this.data = [];
    this.dataChars = 0;
    this.json.reset();
    return { event, data, id: this.lastId };
  }
}

/** Parses a whole stream at once (tests, recorded streams). */
export function parseSse(input: Uint8Array | string, options?: SseParserOptions): SseMessage[] {
  const p = new SseParser(options);
  return [...p.push(input), ...p.end()];
}
