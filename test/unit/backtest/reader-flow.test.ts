// The reader thread's flow control, driven directly: it fills up to maxAhead batches, then says which count of
// finished batches it waits for (maxAhead - resumeBelow(maxAhead) past what it sent), makes no progress before that
// count, and refills to maxAhead ahead once it is reached. A replay that wakes it by the engine's rule (notify only
// when it waits and that count is done) keeps it going; one that stops listening ends it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { workerModuleUrl } from '../../../src/paths.js';
import { resumeBelow, type ReaderParams, type WorkerMessage } from '../../../src/backtest/replay-recording.js';

const dir = mkdtempSync(join(tmpdir(), 'magma-reader-flow-'));
const file = join(dir, 'polls.jsonl');
const POLLS = 60;
writeFileSync(file, Array.from({ length: POLLS }, (_, i) => JSON.stringify({
  t: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
  narratives: [{ id: '0b6f1c8e-1d7a-4a55-9a5e-2f3c4d5e6f70', title: 'N', thesis: 'It happens.', category: 'CRYPTO', oracle_status: 'open', total_backed_sol: 1, backer_count: i, challenge_count: 0, created_at: '2026-01-01T00:00:00.000Z' }],
})).join('\n') + '\n');

const workers: Worker[] = [];
afterAll(async () => {
  await Promise.all(workers.map((w) => w.terminate()));
});

/** Resolves once `ready()` holds, checking every few milliseconds; fails after `ms`. */
async function until(ready: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) throw new Error('timed out waiting for the reader');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function start(maxAhead: number) {
  const progress = new SharedArrayBuffer(12);
  const shared = new Int32Array(progress);
  const worker = new Worker(workerModuleUrl('../../../src/backtest/recording-worker.js', import.meta.url));
  workers.push(worker);
  const messages: WorkerMessage[] = [];
  worker.on('message', (m: WorkerMessage) => messages.push(m));
  const params: ReaderParams = { path: file, batchPolls: 1, maxAhead, progress, skipPollsBeforeMs: null };
  worker.postMessage(params);
  const batches = () => messages.filter((m) => m.type === 'batch').length;
  /** Marks one more batch done, waking the reader by the engine's rule. */
  const finish = () => {
    const done = Atomics.add(shared, 0, 1) + 1;
    const waitsFor = Atomics.load(shared, 2);
    if (waitsFor !== 0 && done >= waitsFor) Atomics.notify(shared, 0);
  };
  return { worker, shared, messages, batches, finish };
}

describe('recording reader flow control', () => {
  for (const maxAhead of [1, 2, 3, 8]) {
    it(`with ${maxAhead} batch(es) ahead: waits full, for the count it says, and refills`, async () => {
      const r = start(maxAhead);
      const resume = resumeBelow(maxAhead);
      expect(resume).toBeLessThan(maxAhead);
      // Fills up and says what it waits for.
      await until(() => Atomics.load(r.shared, 2) !== 0);
      expect(r.batches()).toBe(maxAhead);
      const resumeAt = maxAhead - resume;
      expect(Atomics.load(r.shared, 2)).toBe(resumeAt);
      // Short of that count it does not move, even past its own wait's timeout (100 ms).
      for (let done = 0; done < resumeAt - 1; done++) r.finish();
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(r.batches()).toBe(maxAhead);
      expect(Atomics.load(r.shared, 2)).toBe(resumeAt);
      // Reaching it lets it refill to maxAhead ahead of what is done, and wait again for the next count.
      r.finish();
      await until(() => r.batches() === resumeAt + maxAhead && Atomics.load(r.shared, 2) === 2 * resumeAt);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(r.batches()).toBe(resumeAt + maxAhead);
      // Finishing every batch as it comes reads the whole recording, in order.
      while (!r.messages.some((m) => m.type === 'done')) {
        while (Atomics.load(r.shared, 0) < r.batches()) r.finish();
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const polls = r.messages.flatMap((m) => (m.type === 'batch' ? m.polls : []));
      expect(polls.map((p) => p.t)).toEqual(Array.from({ length: POLLS }, (_, i) => Date.UTC(2026, 0, 1) + i * 60_000));
      expect(r.messages.at(-1)).toMatchObject({ type: 'done', stats: { polls: POLLS } });
    });
  }

  it('ends when the replay stops listening while it waits', async () => {
    const r = start(2);
    await until(() => Atomics.load(r.shared, 2) !== 0);
    const exited = new Promise<number>((resolve) => r.worker.once('exit', resolve));
    Atomics.store(r.shared, 1, 1);
    Atomics.notify(r.shared, 0);
    expect(await exited).toBe(0);
    expect(r.messages.some((m) => m.type === 'done')).toBe(false);
    expect(r.batches()).toBe(2);
  });
});
