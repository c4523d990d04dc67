// The worker thread that reads a recording for a backtest while the engine evaluates: it splits lines, parses JSON,
// checks each poll's feed through the same schemas as live (parseFeed), and posts batches of parsed polls to the
// main thread. At most MAX_AHEAD batches wait unprocessed, so memory stays bounded on a recording of any length.
// Most narratives are the same from one poll to the next (about nine in ten): such a one crosses as the index of its
// equal in the previous poll, and the main thread reuses that object (less to copy, to collect and to compare). Most
// of the others changed only their figures: they cross as those alone, and the main thread keeps the texts it has.
// A replay that starts later (a walk-forward segment) has polls before its warm-up counted, not parsed.
import { parentPort } from 'node:worker_threads';
import { parseFeed } from '../magma/schemas.js';
import { classifyLine, emptyStats } from './recording.js';
import { recordingLines } from './recording-lines.js';
import { resumeBelow } from './replay-recording.js';
import type { Narrative } from '../core/narrative.js';
import type { StoredMagusAnswer } from '../ports/magus.js';
import type { ReaderParams, WireChange, WorkerMessage, WirePoll } from './replay-recording.js';

// Started before it knows what to read (RecordingReader): loading this module's imports is most of its start-up, and
// that overlaps with the engine's. The first message says what to read.
let path = '';
let batchPolls = 16;
let maxAhead = 8;
let skipPollsBeforeMs: number | null = null;

/**
 * A poll line before `skipPollsBeforeMs` that carries no prices (a walk-forward segment reads nothing from those but
 * prices): counted from its time alone, without parsing it. Null when the line must be read.
 */
function skippablePollTime(text: string | null): number | null {
  if (skipPollsBeforeMs === null || text === null || !text.startsWith('{"t":"')) return null;
  const end = text.indexOf('"', 6);
  const t = end > 0 ? Date.parse(text.slice(6, end)) : NaN;
  if (!Number.isFinite(t) || t >= skipPollsBeforeMs || text.includes('"prices"') || !text.includes('"narratives":')) return null;
  return t;
}
const port = parentPort!;
// Flow control through shared memory, not messages (a message back per batch cost the main thread milliseconds each):
// [0] batches the main thread has finished, [1] set when it stops listening, [2] while this thread waits, the count of
// [0] it waits for (0 when it does not).
// Waking a waiting thread costs the main thread a system call (about 0.1 ms here, 2.5% of a backtest when it came at
// every batch): so once full, this thread waits until half the batches ahead are done, and the main thread wakes it
// only when it waits and that half is done.
let shared = new Int32Array(new SharedArrayBuffer(12));
let sent = 0;

/** Waits (blocking this thread, which has nothing else to do) until fewer than maxAhead batches are unprocessed. */
function waitForRoom(): boolean {
  if (sent - Atomics.load(shared, 0) < maxAhead) return Atomics.load(shared, 1) === 0;
  const resumeAt = sent - resumeBelow(maxAhead);
  for (;;) {
    if (Atomics.load(shared, 1) !== 0) return false;
    Atomics.store(shared, 2, resumeAt);
    // Read again after saying so: a batch finished in between either shows here or finds the flag set and wakes us.
    const done = Atomics.load(shared, 0);
    if (done >= resumeAt) {
      Atomics.store(shared, 2, 0);
      return Atomics.load(shared, 1) === 0;
    }
    Atomics.wait(shared, 0, done, 100);
  }
}

function run(): void {
  const stats = emptyStats();
  let batch: WirePoll[] = [];
  let previous = new Map<string, { index: number; narrative: Narrative }>();
  let pendingPrices: Array<[string, number, number]> = [];
  let pendingMagus: StoredMagusAnswer[] = [];
  let bytes = 0;
  const post = () => {
    if (!batch.length) return true;
    const message: WorkerMessage = { type: 'batch', polls: batch, bytes };
    port.postMessage(message);
    batch = [];
    sent++;
    return waitForRoom();
  };
  for (const line of recordingLines(path)) {
    bytes = line.bytes;
    const skipT = skippablePollTime(line.text);
    if (skipT !== null) {
      // Counted as classifyLine would count a poll, so the stats still say how many polls there were and in what order.
      if (stats.lastT !== null && skipT < stats.lastT) stats.outOfOrder++;
      else {
        stats.firstT ??= skipT;
        stats.lastT = skipT;
        stats.polls++;
      }
      continue;
    }
    const v = classifyLine(line.text, stats);
    if (v.kind === 'skip') continue;
    for (const [asset, price] of v.prices) pendingPrices.push([asset, v.t, price]);
    if (v.kind === 'magus') pendingMagus.push(v.answer);
    if (v.kind !== 'poll') continue;
    const feed = parseFeed({ narratives: v.narratives })!;
    const current = new Map<string, { index: number; narrative: Narrative }>();
    const items: WirePoll['items'] = new Array(feed.narratives.length);
    for (let i = 0; i < feed.narratives.length; i++) {
      const n = feed.narratives[i]!.narrative;
      const before = previous.get(n.id);
      items[i] = !before ? n : sameNarrative(before.narrative, n) ? before.index
        : sameText(before.narrative, n) ? change(before.index, n) : n;
      current.set(n.id, { index: i, narrative: n });
    }
    previous = current;
    const poll: WirePoll = { t: v.t, items, bytes: line.bytes };
    if (feed.dropped.length) poll.dropped = feed.dropped;
    if (pendingPrices.length) {
      poll.prices = pendingPrices;
      pendingPrices = [];
    }
    if (pendingMagus.length) {
      poll.magus = pendingMagus;
      pendingMagus = [];
    }
    batch.push(poll);
    if (batch.length >= batchPolls && !post()) return;
  }
  if (!post()) return;
  const done: WorkerMessage = { type: 'done', stats, bytes };
  port.postMessage(done);
}

function sameNarrative(a: Narrative, b: Narrative): boolean {
  return a.totalBackedLamports === b.totalBackedLamports && a.backerCount === b.backerCount && a.challengeCount === b.challengeCount
    && a.oracleStatus === b.oracleStatus && sameText(a, b);
}

function change(index: number, n: Narrative): WireChange {
  return [index, n.oracleStatus, n.totalBackedLamports, n.backerCount, n.challengeCount];
}

/** Whether only the figures and the status changed: such a narrative crosses as those alone (a WireChange). */
function sameText(a: Narrative, b: Narrative): boolean {
  return a.title === b.title && a.thesis === b.thesis && a.category === b.category && a.createdAt === b.createdAt;
}

port.once('message', (params: ReaderParams) => {
  ({ path, batchPolls, maxAhead, skipPollsBeforeMs } = params);
  shared = new Int32Array(params.progress);
  try {
    run();
  } catch (err) {
    const message: WorkerMessage = { type: 'error', message: err instanceof Error ? err.message : String(err), code: (err as { code?: string }).code ?? null };
    port.postMessage(message);
  }
});
