// journald priorities (`journalctl -p warning` must see warnings), NO_COLOR, and a warning repeated every tick
// (gate.closed during a halt) written on change and then at most once per interval with a count.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, tapLogger, type LoggerOptions } from '../../../src/log/logger.js';

function capture(o: LoggerOptions = {}) {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  const logger = createLogger({ level: 'debug', format: 'json', stream, ...o });
  return { logger, lines: () => new Promise<string[]>((r) => setImmediate(() => r(chunks.join('').split('\n').filter(Boolean)))) };
}

describe('journald priorities', () => {
  it('prefixes each line with its sd-daemon priority when writing to the journal', async () => {
    const { logger, lines } = capture({ journald: true });
    logger.error('e');
    logger.warn('w');
    logger.info('i');
    logger.debug('d');
    const out = await lines();
    expect(out.map((l) => l.slice(0, 3))).toEqual(['<3>', '<4>', '<6>', '<7>']);
    expect(JSON.parse(out[1]!.slice(3))).toMatchObject({ level: 'warn', message: 'w' });
  });

  it('writes plain lines when JOURNAL_STREAM does not name the stream', async () => {
    const { logger, lines } = capture({ env: { JOURNAL_STREAM: '8:12345' } });
    logger.warn('w');
    expect((await lines())[0]!.startsWith('{')).toBe(true);
  });
});

describe('NO_COLOR', () => {
  it('keeps pretty lines free of colour codes on a terminal', async () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true });
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    const coloured = createLogger({ format: 'pretty', stream, env: {} });
    coloured.warn('with.colour');
    const plain = createLogger({ format: 'pretty', stream, env: { NO_COLOR: '1' } });
    plain.warn('without.colour');
    await new Promise((r) => setImmediate(r));
    const [a, b] = chunks.join('').split('\n');
    expect(a).toContain('\x1b[');
    expect(b).not.toContain('\x1b[');
    expect(b).toContain('without.colour');
  });
});

describe('repeated warnings', () => {
  it('writes a repeated warning on change, then once per interval with how many were held back', async () => {
    let now = 0;
    const { logger, lines } = capture({ repeatIntervalMs: 60 * 60_000, now: () => now });
    for (let tick = 0; tick < 120; tick++) {
      logger.warn('gate.closed', { gate: 'backing', reason: 'protocol halted: all' });
      now += 60_000;
    }
    logger.warn('gate.closed', { gate: 'backing', reason: 'terms not accepted' }); // a change: at once
    const out = (await lines()).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out).toHaveLength(3);
    expect(out[0]).not.toHaveProperty('repeated');
    expect(out[1]).toMatchObject({ reason: 'protocol halted: all', repeated: 59 });
    expect(out[2]).toMatchObject({ reason: 'terms not accepted' });
    expect(out[2]).not.toHaveProperty('repeated');
  });

  it('never holds back errors or info lines', async () => {
    const { logger, lines } = capture({ now: () => 0 });
    for (let i = 0; i < 3; i++) {
      logger.error('x', { a: 1 });
      logger.info('y', { a: 1 });
    }
    expect(await lines()).toHaveLength(6);
  });

  it('hands every written event to a tap', () => {
    const { logger } = capture();
    const seen: string[] = [];
    const tapped = tapLogger(logger, (level, event, fields) => seen.push(`${level}:${event}:${String(fields.strategy)}`));
    tapped.child({ strategy: 's1' }).warn('strategy.failed');
    expect(seen).toEqual(['warn:strategy.failed:s1']);
  });
});
