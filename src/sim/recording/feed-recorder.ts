// Writes the world as INTERFACE.md's recording format while it steps: one poll a line
// {"t": ISO, "narratives": [feed items]} followed by a price line {"t": ISO, "prices": {...}}, every `intervalMs` of
// simulated time; and, separately, one outcome line per resolution. Lines are produced from world steps, never
// from wall-clock timers, so the same seed and duration give byte-identical files however fast the run went.
// With a truth file, each poll also gets a line {"t": ISO, "p": {id: Bayes-optimal P(TRUE), …}} for the narratives
// in that poll (world/bayes-truth.ts): what the world itself knows then, for `backtest --truth`.
import { closeSync, openSync, writeSync } from 'node:fs';
import { ASSET_SYMBOLS } from '../world/price-paths.js';
import { BayesTruth } from '../world/bayes-truth.js';
import { toFeedItem } from '../world/wire.js';
import { STEP_MS, type World } from '../world/world.js';

const FLUSH_BYTES = 1 << 20;

/** Appends lines to a file through a buffer (a 30-day recording is millions of lines). */
class LineSink {
  private readonly fd: number;
  private buffer: string[] = [];
  private size = 0;
  bytes = 0;
  lines = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  write(line: string): void {
    this.buffer.push(line, '\n');
    this.size += line.length + 1;
    this.lines++;
    if (this.size >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('');
    this.bytes += writeSync(this.fd, chunk);
    this.buffer = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

export interface RecorderOptions {
  world: World;
  recordPath?: string | undefined;
  outcomesPath?: string | undefined;
  /** Bayes-optimal probabilities at each recorded poll (needs recordPath). */
  truthPath?: string | undefined;
  /** Simulated ms between polls (a multiple of the world's one-minute step). */
  intervalMs?: number;
  /** Stop writing after this simulated time (the end of a --duration run). */
  untilMs?: number;
}

export interface RecorderSummary {
  polls: number;
  recordBytes: number;
  outcomes: number;
}

export class FeedRecorder {
  private readonly record: LineSink | null;
  private readonly outcomes: LineSink | null;
  private readonly truth: { sink: LineSink; bayes: BayesTruth } | null;
  private readonly intervalMs: number;
  private polls = 0;
  private closed = false;

  constructor(private readonly options: RecorderOptions) {
    this.intervalMs = Math.max(STEP_MS, Math.round((options.intervalMs ?? STEP_MS) / STEP_MS) * STEP_MS);
    this.record = options.recordPath ? new LineSink(options.recordPath) : null;
    this.outcomes = options.outcomesPath ? new LineSink(options.outcomesPath) : null;
    const world = options.world;
    this.truth = options.truthPath && this.record ? { sink: new LineSink(options.truthPath), bayes: new BayesTruth(world.prices) } : null;
    if (this.truth) {
      const bayes = this.truth.bayes;
      world.onEvent((e) => {
        if (e.type === 'narrative.resolved') bayes.forget(e.narrative.id);
      });
    }
    if (this.record) {
      this.poll(world.now);
      world.onStep((at) => {
        if ((at - world.startMs) % this.intervalMs === 0) this.poll(at);
      });
    }
    if (this.outcomes) {
      const out = this.outcomes;
      world.onEvent((e) => {
        if (e.type !== 'narrative.resolved' || this.closed || this.beyond(e.at)) return;
        const outcome = e.narrative.status === 'resolved_true' ? 'true' : e.narrative.status === 'resolved_false' ? 'false' : 'refund';
        out.write(JSON.stringify({ narrative_id: e.narrative.id, outcome, resolved_at: new Date(e.at).toISOString() }));
      });
    }
  }

  private beyond(at: number): boolean {
    return this.options.untilMs !== undefined && at > this.options.untilMs;
  }

  private poll(at: number): void {
    if (this.closed || !this.record || this.beyond(at)) return;
    const t = new Date(at).toISOString();
    const world = this.options.world;
    const feed = world.feed(50);
    this.record.write(JSON.stringify({ t, narratives: feed.map((n) => toFeedItem(n)) }));
    if (this.truth) {
      const p: Record<string, number> = {};
      for (const n of feed) p[n.id] = Math.round(this.truth.bayes.probability(n, at) * 1e6) / 1e6;
      this.truth.sink.write(JSON.stringify({ t, p }));
    }
    const prices: Record<string, number> = {};
    for (const a of ASSET_SYMBOLS) prices[a] = world.prices.quoteAt(a, at);
    this.record.write(JSON.stringify({ t, prices }));
    this.polls++;
  }

  close(): RecorderSummary {
    if (!this.closed) {
      this.closed = true;
      this.record?.close();
      this.outcomes?.close();
      this.truth?.sink.close();
    }
    return { polls: this.polls, recordBytes: this.record?.bytes ?? 0, outcomes: this.outcomes?.lines ?? 0 };
  }
}
