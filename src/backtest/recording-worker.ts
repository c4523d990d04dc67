// The worker thread that reads a recording for a backtest while the engine evaluates: it splits lines, parses JSON,
// checks each poll's feed through the same schemas as live (parseFeed), and posts batches of parsed polls to the
// main thread. At most MAX_AHEAD batches wait unprocessed, so memory stays bounded on a recording of any length.
// Most narratives are the same from one poll to the next (about nine in ten): such a one crosses as the index of its
// equal in the previous poll, and the main thread reuses that object (less to copy, to collect and to compare).
import { parentPort, workerData } from 'node:worker_threads';
import { parseFeed } from '../magma/schemas.js';
import { classifyLine, emptyStats } from './recording.js';
import { recordingLines } from './recording-lines.js';
import type { Narrative } from '../core/narrative.js';
import type { WorkerMessage, WirePoll } from './replay-recording.js';

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
  let batch: WirePoll[] = [];
  let previous = new Map<string, { index: number; narrative: Narrative }>();
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
    const v = classifyLine(line.text, stats);
    if (v.kind === 'skip') continue;
    for (const [asset, price] of v.prices) pendingPrices.push([asset, v.t, price]);
    if (v.kind !== 'poll') continue;
    const feed = parseFeed({ narratives: v.narratives })!;
    const current = new Map<string, { index: number; narrative: Narrative }>();
    const items: Array<Narrative | number> = new Array(feed.narratives.length);
    for (let i = 0; i < feed.narratives.length; i++) {
      const n = feed.narratives[i]!.narrative;
      const before = previous.get(n.id);
      items[i] = before && sameNarrative(before.narrative, n) ? before.index : n;
      current.set(n.id, { index: i, narrative: n });
    }
    previous = current;
    batch.push({ t: v.t, items, dropped: feed.dropped, prices: pendingPrices, bytes: line.bytes });
    pendingPrices = [];
    if (batch.length >= batchPolls) await post();
  }
  await post();
  const done: WorkerMessage = { type: 'done', stats, bytes };
  port.postMessage(done);
}

function sameNarrative(a: Narrative, b: Narrative): boolean {
  return a.totalBackedLamports === b.totalBackedLamports && a.backerCount === b.backerCount && a.challengeCount === b.challengeCount
    && a.oracleStatus === b.oracleStatus && a.title === b.title && a.thesis === b.thesis && a.category === b.category && a.createdAt === b.createdAt;
}

run().catch((err: unknown) => {
  const message: WorkerMessage = { type: 'error', message: err instanceof Error ? err.message : String(err), code: (err as { code?: string }).code ?? null };
  port.postMessage(message);
});
