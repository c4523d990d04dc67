// Reads a truth file (`sim --record … --truth FILE`): JSON Lines {"t": ISO, "p": {narrative id: Bayes-optimal P(TRUE)}},
// one line per recorded poll, in time order. Read alongside the replay, one line at a time, never ahead of the poll
// being replayed by more than one line.
import { MagmaError } from '../core/errors.js';
import { recordingLines, type RecordingLine } from './recording-lines.js';
import { requireFile } from './recording.js';

export type TruthAtPoll = Readonly<Record<string, number>>;

export class TruthFile {
  private readonly lines: Generator<RecordingLine>;
  private pending: { t: number; p: TruthAtPoll } | null = null;
  private done = false;
  /** Lines that were not {t, p} (skipped). */
  badLines = 0;
  /** Truth lines read. */
  read = 0;

  constructor(readonly path: string) {
    requireFile(path, 'truth file');
    this.lines = recordingLines(path);
  }

  /** The probabilities recorded for the poll at `t` (a line with exactly that time), or null when there is none. */
  at(t: number): TruthAtPoll | null {
    for (;;) {
      if (this.pending && this.pending.t >= t) return this.pending.t === t ? this.pending.p : null;
      if (!this.next()) return null;
    }
  }

  private next(): boolean {
    while (!this.done) {
      const r = this.lines.next();
      if (r.done) {
        this.done = true;
        break;
      }
      if (!r.value.text?.trim()) continue;
      try {
        const v = JSON.parse(r.value.text) as { t?: unknown; p?: unknown };
        const t = typeof v.t === 'string' ? Date.parse(v.t) : NaN;
        if (!Number.isFinite(t) || !v.p || typeof v.p !== 'object' || Array.isArray(v.p)) throw new Error('shape');
        this.pending = { t, p: v.p as TruthAtPoll };
        this.read++;
        return true;
      } catch {
        this.badLines++;
      }
    }
    this.pending = null;
    return false;
  }

  /** A clear error when nothing in the file was a truth line. */
  check(): void {
    if (this.read === 0) {
      throw new MagmaError('USAGE', `${this.path} holds no truth lines ({"t": ISO, "p": {narrative id: probability}}).`, {
        hint: 'Make one beside the recording with `magma-agent sim --record FILE --truth TRUTH.jsonl --duration 7d`.',
      });
    }
  }
}
