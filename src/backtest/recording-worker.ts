// The worker thread that reads a recording for a backtest while the engine evaluates: it splits lines, parses JSON,
// checks each poll's feed through the same schemas as live (parseFeed), and posts batches of parsed polls to the
// main thread. At most MAX_AHEAD batches wait unprocessed, so memory stays bounded on a recording of any length.
// A replay that starts later (a walk-forward segment) has polls before its warm-up counted, not parsed.
import { parentPort, workerData } from 'node:worker_threads';
import { parseFeed } from '../magma/schemas.js';
import { classifyLine, emptyStats } from './recording.js';
import { recordingLines } from './recording-lines.js';
import type { WorkerMessage, ReplayPoll } from './replay-recording.js';

const { path, batchPolls, maxAhead, skipPollsBeforeMs } = workerData as { path: string; batchPolls: number; maxAhead: number; skipPollsBeforeMs: number | null };

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

let ahead = 0;
let wake: (() => void) | null = null;
port.on('message', (m: { ack?: true }) => {
  if (!m.ack) return;
  ahead--;
  wake?.();
  wake = null;
});

async function run(): Promise<void> {
  const stats = emptyStats();
  let batch: ReplayPoll[] = [];
  let pendingPrices: Array<[string, number, number]> = [];
  let bytes = 0;
  const post = async () => {
    if (!batch.length) return;
    const message: WorkerMessage = { type: 'batch', polls: batch, bytes };
    port.postMessage(message);
    batch = [];
    ahead++;
    while (ahead >= maxAhead) await new Promise<void>((resolve) => (wake = resolve));
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
    if (v.kind !== 'poll') continue;
    const feed = parseFeed({ narratives: v.narratives })!;
    batch.push({ t: v.t, narratives: feed.narratives.map((o) => o.narrative), dropped: feed.dropped, prices: pendingPrices, bytes: line.bytes });
    pendingPrices = [];
    if (batch.length >= batchPolls) await post();
  }
  await post();
  const done: WorkerMessage = { type: 'done', stats, bytes };
  port.postMessage(done);
}

run().catch((err: unknown) => {
  const message: WorkerMessage = { type: 'error', message: err instanceof Error ? err.message : String(err), code: (err as { code?: string }).code ?? null };
  port.postMessage(message);
});
