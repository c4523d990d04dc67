import { describe, expect, it } from 'vitest';
import { clip, renderTable, toJson } from '../../../src/cli/table.js';

describe('read command output', () => {
  it('aligns columns, shows missing values as a dash and strips control characters', () => {
    const out = renderTable(['a', 'long header'], [['x', null], ['yy\u001b[31m', 3]]);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]!.indexOf('long header')).toBe(lines[2]!.indexOf('—'));
    expect(lines[2]!.startsWith('x ')).toBe(true);
    expect(out).not.toContain('\u001b');
  });

  it('keeps lamports exact in JSON', () => {
    expect(JSON.parse(toJson({ v: 12345678901234567890n }))).toEqual({ v: '12345678901234567890' });
  });

  it('clips long text', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip(null, 4)).toBeNull();
  });
});
