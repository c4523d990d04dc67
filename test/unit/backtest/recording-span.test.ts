// A recording's span from its head and tail: the last poll is found behind price lines and long lines, and a file
// whose tail holds no poll is scanned whole.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingSpan } from '../../../src/backtest/recording.js';

const dir = mkdtempSync(join(tmpdir(), 'magma-span-'));
const poll = (t: string, pad = 0) => JSON.stringify({ t, narratives: [], pad: 'x'.repeat(pad) });
const prices = (t: string) => JSON.stringify({ t, prices: { SOL: 200 } });

describe('recordingSpan', () => {
  it('reads the first and the last poll, past price lines at either end', () => {
    const file = join(dir, 'a.jsonl');
    writeFileSync(file, [prices('2026-01-01T00:00:00Z'), poll('2026-01-01T00:01:00Z'), poll('2026-01-02T00:00:00Z'), prices('2026-01-02T00:01:00Z'), ''].join('\n'));
    expect(recordingSpan(file)).toEqual({ firstT: Date.parse('2026-01-01T00:01:00Z'), lastT: Date.parse('2026-01-02T00:00:00Z') });
  });

  it('reads further back when the last poll is further than the first look, and finds none in an empty file', () => {
    const file = join(dir, 'b.jsonl');
    const tail = Array.from({ length: 3_000 }, (_, i) => prices(`2026-01-03T00:${String(i % 60).padStart(2, '0')}:00Z`));
    writeFileSync(file, [poll('2026-01-01T00:00:00Z'), poll('2026-01-02T00:00:00Z', 600_000), ...tail, ''].join('\n'));
    expect(recordingSpan(file)!.lastT).toBe(Date.parse('2026-01-02T00:00:00Z'));
    const empty = join(dir, 'c.jsonl');
    writeFileSync(empty, '');
    expect(recordingSpan(empty)).toBeNull();
  });
});
