// Progress of a backtest's runs (one or many, on worker threads), measured in simulated time decided on. On a
// terminal: a bar (cli-progress) with polls, polls per second and the time left. Otherwise (journald, CI, a pipe):
// one JSON line every `intervalMs`, {"event":"backtest.progress", percent, polls, polls_per_s, eta_s, runs_done, runs}.
import cliProgress from 'cli-progress';
import type { JobProgress } from '../backtest/backtest-job.js';

export interface ProgressOptions {
  enabled: boolean;
  tty: boolean;
  intervalMs: number;
  stream?: NodeJS.WritableStream;
  now?: () => number;
}

export class BacktestProgress {
  private readonly spans = new Map<number, { fromMs: number; toMs: number; done: number; polls: number }>();
  private total = 0;
  private finished = 0;
  private readonly started: number;
  private lastLine: number;
  private bar: cliProgress.SingleBar | null = null;
  private readonly stream: NodeJS.WritableStream;
  private readonly now: () => number;

  constructor(jobs: ReadonlyArray<{ id: number; fromMs: number; toMs: number }>, private readonly o: ProgressOptions) {
    for (const j of jobs) {
      this.spans.set(j.id, { fromMs: j.fromMs, toMs: j.toMs, done: 0, polls: 0 });
      this.total += Math.max(1, j.toMs - j.fromMs);
    }
    this.stream = o.stream ?? process.stderr;
    this.now = o.now ?? Date.now;
    this.started = this.now();
    this.lastLine = this.started;
    if (o.enabled && o.tty) {
      this.bar = new cliProgress.SingleBar({
        format: 'backtest [{bar}] {percentage}% | {polls} polls | {rate} polls/s | runs {done}/{runs} | ETA {eta_formatted}',
        stream: this.stream as NodeJS.WriteStream, hideCursor: true, etaBuffer: 40, fps: 8, barsize: 28,
      }, cliProgress.Presets.shades_classic);
      this.bar.start(this.total, 0, this.payload());
    }
  }

  private polls(): number {
    let n = 0;
    for (const s of this.spans.values()) n += s.polls;
    return n;
  }

  private value(): number {
    let v = 0;
    for (const s of this.spans.values()) v += s.done;
    return v;
  }

  private payload() {
    const polls = this.polls();
    const seconds = Math.max(0.001, (this.now() - this.started) / 1000);
    return { polls, rate: Math.round(polls / seconds), done: this.finished, runs: this.spans.size };
  }

  update(id: number, p: JobProgress): void {
    const s = this.spans.get(id);
    if (!s) return;
    s.polls = p.polls;
    s.done = Math.min(Math.max(1, s.toMs - s.fromMs), Math.max(0, p.t - s.fromMs));
    this.render();
  }

  jobDone(id: number): void {
    const s = this.spans.get(id);
    if (s) s.done = Math.max(1, s.toMs - s.fromMs);
    this.finished++;
    this.render();
  }

  private render(): void {
    if (!this.o.enabled) return;
    if (this.bar) {
      this.bar.update(this.value(), this.payload());
      return;
    }
    const now = this.now();
    if (now - this.lastLine < this.o.intervalMs) return;
    this.lastLine = now;
    const fraction = this.value() / this.total;
    const elapsed = (now - this.started) / 1000;
    const p = this.payload();
    const eta = fraction > 0 ? Math.round((elapsed / fraction) * (1 - fraction)) : null;
    this.stream.write(JSON.stringify({ event: 'backtest.progress', percent: Math.floor(fraction * 100), polls: p.polls, polls_per_s: p.rate, eta_s: eta, runs_done: p.done, runs: p.runs }) + '\n');
  }

  stop(): void {
    this.bar?.stop();
  }
}
