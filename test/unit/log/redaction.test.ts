import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MagmaError } from '../../../src/core/errors.js';
import { createLogger } from '../../../src/log/logger.js';
import { Redactor } from '../../../src/log/redactor.js';

const SECRET = 'mgma_test_5f0c2d7e9a1b4c3d8e6f0a2b4c6d8e0f';

function capture(format: 'json' | 'pretty') {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  const redactor = new Redactor();
  redactor.add(SECRET);
  const logger = createLogger({ level: 'debug', format, stream, redactor });
  return { logger, text: () => new Promise<string>((r) => setImmediate(() => r(chunks.join('')))) };
}

describe('log redaction', () => {
  for (const format of ['json', 'pretty'] as const) {
    it(`masks a secret wherever it appears (${format})`, async () => {
      const { logger, text } = capture(format);
      const cause = new Error(`upstream said: key ${SECRET} invalid`);
      const err = new MagmaError('API_UNAUTHORIZED', `401 for key ${SECRET}`, { cause, context: { route: `/v1/x?key=${SECRET}` } });
      logger.error(`event with ${SECRET}`, {
        err,
        body: JSON.stringify({ api_key: SECRET }),
        nested: { deeper: [{ headers: { 'x-api-key': SECRET } }] },
        amount_lamports: 5n,
      });
      const out = await text();
      expect(out).not.toContain(SECRET);
      expect(out).toContain('[REDACTED]');
      expect(out).toContain('5'); // bigints survive as text
    });
  }

  it('writes one JSON object per line for journald', async () => {
    const { logger, text } = capture('json');
    logger.info('tick.done', { narratives: 3 });
    logger.child({ tick: 7 }).warn('feed.item_dropped', { reason: 'has no id' });
    const lines = (await text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ level: 'info', message: 'tick.done', narratives: 3 });
    expect(lines[1]).toMatchObject({ level: 'warn', message: 'feed.item_dropped', tick: 7, reason: 'has no id' });
  });

  it('ignores values too short to be secrets', () => {
    const r = new Redactor();
    r.add('abc');
    r.add('');
    expect(r.redactString('abc abc')).toBe('abc abc');
  });
});
