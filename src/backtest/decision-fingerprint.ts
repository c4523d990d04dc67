// A fingerprint of every decision a backtest made, in order, to tell whether a change altered any decision. Runs of
// equal skips (the store's run key) count as one record with its length, so the fingerprint is cheap on millions of
// decisions and still changes when any decision, its stake, probability (to 1e-9) or reasons change.
import { createHash } from 'node:crypto';
import type { Decision } from '../core/decide.js';
import type { ResolutionDecision } from '../core/decide-resolution.js';
import { sameDecisionRun } from '../store/run-tracker.js';

/** A backing decision, or a resolution decision (stake 0, its resolution as the probability, as stored). */
export function fingerprintRecord(d: Decision | ResolutionDecision, kind: 'back' | 'resolve'): Pick<Decision, 'narrativeId' | 'action' | 'stakeLamports' | 'pTrue' | 'reasons'> {
  if (kind === 'back') return d as Decision;
  const r = d as ResolutionDecision;
  return { narrativeId: r.narrativeId, action: r.action as Decision['action'], stakeLamports: 0n, pTrue: r.resolution === null ? null : r.resolution ? 1 : 0, reasons: r.reasons };
}

interface OpenRun {
  /** The run's first skip: a later one extends the run when its run key is the same (sameDecisionRun). */
  first: Decision;
  count: number;
}

const CHUNK_BYTES = 1 << 16;

const p9 = (x: number | null) => (x === null ? null : Math.round(x * 1e9) / 1e9);

function record(d: Pick<Decision, 'narrativeId' | 'action' | 'stakeLamports' | 'pTrue' | 'reasons'>, kind: 'back' | 'resolve'): string {
  return JSON.stringify([d.narrativeId, kind, d.action, d.stakeLamports.toString(), p9(d.pTrue), d.reasons]);
}

export class DecisionFingerprint {
  /** `untilMs`: only decisions made at or before this time count (the look-ahead check's cut). */
  constructor(private readonly untilMs = Infinity) {}

  private readonly hash = createHash('sha256');
  private readonly open = new Map<string, OpenRun>();
  /**
   * The records' bytes (UTF-8, each record and then a newline) gather here and are hashed a chunk at a time: writing
   * each record's text into it costs less than joining the texts and hashing the joined string.
   */
  private readonly chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private records = 0;

  /** One decision (`kind`: back or resolve). */
  add(decision: Decision | ResolutionDecision, kind: 'back' | 'resolve', atMs: number): void {
    if (atMs > this.untilMs) return;
    const d = fingerprintRecord(decision, kind);
    const runnable = kind === 'back' && d.action === 'skip';
    const run = this.open.get(d.narrativeId);
    if (run && runnable && sameDecisionRun(run.first, d as Decision)) {
      run.count++;
      return;
    }
    if (run) this.emit(run);
    if (!runnable) {
      this.open.delete(d.narrativeId);
      this.emitRecord(record(d, kind));
    } else if (run) {
      run.first = d as Decision; // the run's object is reused: nothing new to keep per run
      run.count = 1;
    } else {
      this.open.set(d.narrativeId, { first: d as Decision, count: 1 });
    }
  }

  /** A run's record is written when it ends (a record kept open for its whole run outlived a young-generation GC). */
  private emit(run: OpenRun): void {
    this.write(record(run.first, 'back'));
    this.write(`#${run.count}`);
    this.endRecord();
  }

  private emitRecord(line: string): void {
    this.write(line);
    this.endRecord();
  }

  private write(text: string): void {
    // A UTF-16 unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, is 4).
    if (this.used + text.length * 3 > CHUNK_BYTES) {
      this.flush();
      if (text.length * 3 > CHUNK_BYTES) {
        this.hash.update(text);
        return;
      }
    }
    this.used += this.chunk.write(text, this.used, 'utf8');
  }

  private endRecord(): void {
    if (this.used >= CHUNK_BYTES) this.flush();
    this.chunk[this.used++] = 0x0a; // '\n'
    this.records++;
  }

  private flush(): void {
    if (this.used) this.hash.update(this.chunk.subarray(0, this.used));
    this.used = 0;
  }

  /** The SHA-256 over every record so far (the open runs closed in the order they opened); ends the fingerprint. */
  digest(): { sha256: string; records: number } {
    for (const run of this.open.values()) this.emit(run);
    this.open.clear();
    this.flush();
    return { sha256: this.hash.digest('hex'), records: this.records };
  }
}
