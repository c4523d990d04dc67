// The worker thread that reads a recording for a backtest while the engine evaluates: it splits lines, parses JSON,
// checks each poll's feed through the same schemas as live (parseFeed), and posts batches of parsed polls to the
// main thread. At most MAX_AHEAD batches wait unprocessed, so memory stays bounded on a recording of any length.
import { parentPort, workerData } from 'node:worker_threads';
import { parseFeed } from '../magma/schemas.js';
import { classifyLine, emptyStats } from './recording.js';
import { recordingLines } from './recording-lines.js';
import type { WorkerMessage, ReplayPoll } from './replay-recording.js';
import type { StoredMagusAnswer } from '../ports/magus.js';

const { path, batchPolls, maxAhead } = workerData as { path: string; batchPolls: number; maxAhead: number };
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
  let pendingMagus: StoredMagusAnswer[] = [];
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
    const v = classifyLine(line.text, stats);
    if (v.kind === 'skip') continue;
    for (const [asset, price] of v.prices) pendingPrices.push([asset, v.t, price]);
    if (v.kind === 'magus') pendingMagus.push(v.answer);
    if (v.kind !== 'poll') continue;
    const feed = parseFeed({ narratives: v.narratives })!;
    batch.push({ t: v.t, narratives: feed.narratives.map((o) => o.narrative), dropped: feed.dropped, prices: pendingPrices, magus: pendingMagus, bytes: line.bytes });
    pendingPrices = [];
    pendingMagus = [];
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
