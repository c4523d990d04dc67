// The recording reader's wire: a narrative crosses whole, as the index of its equal in the previous poll, or as only
// its changed status and figures. Whatever crossed, each poll delivers exactly what the live schemas make of its line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Narrative } from '../../../src/core/narrative.js';
import { parseFeed } from '../../../src/magma/schemas.js';
import { RecordingReader, replayRecording } from '../../../src/backtest/replay-recording.js';

const dir = mkdtempSync(join(tmpdir(), 'magma-replay-'));
const A = '0b6f1c8e-1d7a-4a55-9a5e-2f3c4d5e6f70';
const B = '1c7a2d9f-2e8b-4b66-8b6f-3a4d5e6f7a81';
const item = (id: string, over: Record<string, unknown> = {}) => ({
  id, title: `Narrative ${id.slice(0, 4)}`, thesis: 'It happens.', category: 'CRYPTO', oracle_status: 'open',
  total_backed_sol: 1.5, backer_count: 3, challenge_count: 1, created_at: '2026-01-01T00:00:00.000Z', ...over,
});

describe('replayRecording', () => {
  it('delivers each poll as parsed, sharing unchanged narratives and the texts of ones whose figures changed', async () => {
    const polls = [
      [item(A), item(B)],
      [item(A), item(B, { backer_count: 4, total_backed_sol: 2.25 })], // B: figures only
      [item(B, { backer_count: 4, total_backed_sol: 2.25, oracle_status: 'resolved_true' }), item(A)], // B: status only; order swapped
      [item(A, { title: 'Renamed' }), item(B, { backer_count: 4, total_backed_sol: 2.25, oracle_status: 'resolved_true' })], // A: a text changed
      [item(A, { title: 'Renamed', challenge_count: 9 })],
    ];
    const file = join(dir, 'wire.jsonl');
    writeFileSync(file, polls.map((narratives, i) => JSON.stringify({ t: `2026-01-01T00:0${i}:00.000Z`, narratives })).join('\n') + '\n');
    const got: Narrative[][] = [];
    await replayRecording(file, async (poll) => {
      got.push(poll.narratives);
    }, { batchPolls: 2 }); // batches end mid-way: a change refers to the previous poll across a batch's end
    expect(got.map((ns) => ns.map((n) => ({ ...n })))).toEqual(polls.map((narratives) => parseFeed({ narratives })!.narratives.map((o) => o.narrative)));
    const [p0, p1, p2, p3, p4] = got as [Narrative[], Narrative[], Narrative[], Narrative[], Narrative[]];
    expect(p1[0]).toBe(p0[0]); // unchanged: the very object
    expect(p1[1]).not.toBe(p0[1]);
    expect(p1[1]!.title).toBe(p0[1]!.title);
    expect(p2[1]).toBe(p1[0]); // moved in the feed, still the same object
    expect(p2[0]!.oracleStatus).toBe('resolved_true');
    expect(p3[0]!.title).toBe('Renamed');
    expect(p4[0]!.challengeCount).toBe(9);
    expect(Object.keys(p1[1]!)).toEqual(Object.keys(p0[1]!)); // the same shape as a parsed one
  });

  const many = (n: number) => {
    const file = join(dir, `many-${n}.jsonl`);
    const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ t: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(), narratives: [item(A, { backer_count: i })] }));
    writeFileSync(file, lines.join('\n') + '\n');
    return file;
  };

  it('delivers every poll in order when the reader must wait for room, and is woken when half its batches are done', async () => {
    const file = many(120);
    const seen: number[] = [];
    let i = 0;
    const stats = await replayRecording(file, async (poll) => {
      seen.push(poll.narratives[0]!.backerCount);
      // now and then slower than the reader, which fills its two batches ahead and waits
      if (i++ % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 3));
    }, { batchPolls: 1, maxAhead: 2 });
    expect(stats.polls).toBe(120);
    expect(seen).toEqual(Array.from({ length: 120 }, (_, k) => k));
  });

  it('reads with a reader started before it knew the file, and says what failed when the file cannot be read', async () => {
    const file = many(10);
    const early = new RecordingReader();
    await new Promise((resolve) => setTimeout(resolve, 50)); // started and idle
    const seen: number[] = [];
    const stats = await replayRecording(file, async (poll) => {
      seen.push(poll.narratives[0]!.backerCount);
    }, { reader: early });
    expect(stats.polls).toBe(10);
    expect(seen).toEqual(Array.from({ length: 10 }, (_, k) => k));
    await expect(replayRecording(file, async () => {}, { reader: early })).rejects.toThrow(/reads one recording/);

    const missing = new RecordingReader();
    await expect(replayRecording(join(dir, 'gone.jsonl'), async () => {}, { reader: missing })).rejects.toThrow(/reading .*gone\.jsonl failed/);
    await new RecordingReader().close(); // never used: ended all the same
  });
});
