// Replays a recording with its reading and parsing on a worker thread (recording-worker.ts), overlapped with the
// engine's evaluation on this one: the two cores a backtest has both work. Polls arrive parsed and in order.
import { Worker } from 'node:worker_threads';
import { MagmaError } from '../core/errors.js';
import type { Narrative } from '../core/narrative.js';
import type { DroppedItem } from '../ports/magma-api.js';
import type { StoredMagusAnswer } from '../ports/magus.js';
import { workerModuleUrl } from '../paths.js';
import { emptyStats, type RecordingStats } from './recording.js';

export interface ReplayPoll {
  t: number;
  narratives: Narrative[];
  dropped: DroppedItem[];
  /** Price points (asset, t, price) read since the previous poll: they precede it. */
  prices: Array<[string, number, number]>;
  /** Magus answers recorded since the previous poll (issue 17): replayed instead of calling Magus. */
  magus: StoredMagusAnswer[];
  /** Bytes of the file up to the end of this poll's line (progress). */
  bytes: number;
}

/**
 * A narrative of the previous poll (its index there) whose status or figures changed, and nothing else: the texts
 * (title, thesis, category, creation time) are that one's and do not cross again.
 */
export type WireChange = [index: number, oracleStatus: string, totalBackedLamports: bigint, backerCount: number, challengeCount: number];

/**
 * A poll as it crosses from the reader: a narrative equal to one of the previous poll is that one's index there, and
 * lists that are empty (most polls' dropped items, prices and Magus answers) do not cross at all.
 */
export interface WirePoll extends Omit<ReplayPoll, 'narratives' | 'dropped' | 'prices' | 'magus'> {
  items: Array<Narrative | number | WireChange>;
  dropped?: DroppedItem[];
  prices?: Array<[string, number, number]>;
  magus?: StoredMagusAnswer[];
}

export type WorkerMessage =
  | { type: 'batch'; polls: WirePoll[]; bytes: number }
  | { type: 'done'; stats: RecordingStats; bytes: number }
  | { type: 'error'; message: string; code: string | null };

/** Batches the reader may be ahead of the engine by default (at 16 polls a batch). */
export const MAX_AHEAD = 8;

/**
 * Once `maxAhead` batches wait, the reader waits until only this many do: it is woken once per so many batches, not
 * at each (a wake is a system call on the engine's thread).
 */
export function resumeBelow(maxAhead: number): number {
  return Math.floor(maxAhead / 2);
}

/** What the reader is told to read (its first and only message). */
export interface ReaderParams {
  path: string;
  batchPolls: number;
  maxAhead: number;
  progress: SharedArrayBuffer;
  skipPollsBeforeMs: number | null;
}

/**
 * The reader thread, which can be started before it is told what to read: its start-up (loading the schemas, about
 * 0.2 s) then overlaps with the engine's own (the backtest worker starts one before it loads the engine). What it
 * says before a replay listens is kept for it. Ended by the replay that uses it, or by `close`.
 */
export class RecordingReader {
  private readonly worker = new Worker(workerModuleUrl('./recording-worker.js', import.meta.url));
  private listener: ((m: WorkerMessage) => void) | null = null;
  private readonly early: WorkerMessage[] = [];
  private used = false;
  private closed: Promise<void> | null = null;

  constructor() {
    this.worker.on('message', (m: WorkerMessage) => this.say(m));
    this.worker.on('error', (err) => this.say({ type: 'error', message: err.message, code: (err as { code?: string }).code ?? null }));
    this.worker.on('exit', (code) => {
      if (code !== 0 && !this.closed) this.say({ type: 'error', message: `the recording reader stopped (exit ${code})`, code: null });
    });
  }

  /** Starts reading; every message goes to `listener`, those said before this included. Once per reader. */
  read(params: ReaderParams, listener: (m: WorkerMessage) => void): void {
    if (this.used) throw new Error('a recording reader reads one recording');
    this.used = true;
    this.listener = listener;
    for (const m of this.early.splice(0)) listener(m);
    this.worker.postMessage(params);
  }

  close(): Promise<void> {
    this.listener = null;
    return (this.closed ??= this.worker.terminate().then(() => undefined));
  }

  private say(m: WorkerMessage): void {
    if (this.closed) return;
    if (this.listener) this.listener(m);
    else this.early.push(m);
  }
}

export interface ReplayOptions {
  /** Polls per message (fewer messages, more memory in flight). */
  batchPolls?: number;
  /** Batches the worker may read ahead of the engine. */
  maxAhead?: number;
  /** Polls before this time are only counted, not parsed nor delivered (their prices and Magus answers still are). */
  skipPollsBeforeMs?: number;
  /** A reader started earlier (see RecordingReader); this replay ends it. Without one, the replay starts its own. */
  reader?: RecordingReader;
  signal?: AbortSignal;
}

/**
 * Calls onPoll for every poll in file order (awaiting each); returns the recording's stats (of what was replayed, when
 * stopped). A narrative that did not change since the previous poll is the very object that poll had: read-only.
 * onPoll returns 'stop' when it needs no more polls (a replay that ends before the recording does).
 */
export async function replayRecording(path: string, onPoll: (poll: ReplayPoll, bytesRead: number) => Promise<void | 'stop'>, o: ReplayOptions = {}): Promise<RecordingStats> {
  // [0]: batches processed here (the reader waits on it to stay at most maxAhead ahead); [1]: stopped listening;
  // [2]: while the reader waits, the count of [0] it waits for (0 when it does not).
  const progress = new SharedArrayBuffer(12);
  const shared = new Int32Array(progress);
  const reader = o.reader ?? new RecordingReader();
  const queue: WorkerMessage[] = [];
  const delivered: { polls: number; firstT: number | null; lastT: number | null } = { polls: 0, firstT: null, lastT: null };
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  let previous: Narrative[] = [];
  try {
    reader.read({ path, batchPolls: o.batchPolls ?? 16, maxAhead: o.maxAhead ?? MAX_AHEAD, progress, skipPollsBeforeMs: o.skipPollsBeforeMs ?? null }, (m) => {
      queue.push(m);
      wake?.();
      wake = null;
    });
    for (;;) {
      if (!queue.length) await new Promise<void>((resolve) => (wake = resolve));
      const m = queue.shift()!;
      if (m.type === 'error') {
        failure = new MagmaError('USAGE', `reading ${path} failed: ${m.message}.`, {
          hint: m.code === 'EACCES' ? 'Give the agent read access to the recording.' : 'Check that the recording is a readable JSON Lines file.',
        });
        throw failure;
      }
      if (m.type === 'done') return m.stats;
      for (const wire of m.polls) {
        // Stopped (Ctrl-C): what was replayed so far is what the stats describe.
        if (o.signal?.aborted) return { ...emptyStats(), polls: delivered.polls, firstT: delivered.firstT, lastT: delivered.lastT };
        const narratives: Narrative[] = new Array(wire.items.length);
        for (let i = 0; i < narratives.length; i++) {
          const item = wire.items[i]!;
          narratives[i] = typeof item === 'number' ? previous[item]! : Array.isArray(item) ? changed(previous[item[0]]!, item) : item;
        }
        previous = narratives;
        const poll: ReplayPoll = { t: wire.t, narratives, dropped: wire.dropped ?? [], prices: wire.prices ?? [], magus: wire.magus ?? [], bytes: wire.bytes };
        const next = await onPoll(poll, poll.bytes);
        if (next === 'stop') return { ...emptyStats(), polls: delivered.polls, firstT: delivered.firstT, lastT: delivered.lastT };
        delivered.polls++;
        delivered.firstT ??= poll.t;
        delivered.lastT = poll.t;
      }
      // The reader is woken only when it waits for this batch (see resumeBelow): most batches cost no system call.
      const done = Atomics.add(shared, 0, 1) + 1;
      const waitsFor = Atomics.load(shared, 2);
      if (waitsFor !== 0 && done >= waitsFor) Atomics.notify(shared, 0);
      // Let the event loop turn between batches: signals (Ctrl-C), timers (a strategy's timeout) and the worker's
      // messages are macrotasks, and a replay that only awaits settled promises would never give them a turn.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    Atomics.store(shared, 1, 1);
    Atomics.notify(shared, 0);
    await reader.close();
  }
}

/** A narrative of the previous poll with the status and figures a WireChange carries (same property order: same shape). */
function changed(before: Narrative, c: WireChange): Narrative {
  return {
    id: before.id, title: before.title, thesis: before.thesis, category: before.category, oracleStatus: c[1],
    totalBackedLamports: c[2], backerCount: c[3], challengeCount: c[4], createdAt: before.createdAt,
  };
}
