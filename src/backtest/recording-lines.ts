// Splits a recording into lines at the speed of reading it: the file is read in large chunks and cut at newlines,
// with no stream or readline machinery between the disk and JSON.parse. Yields each line's text and the bytes read.
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 4 * 1024 * 1024;
/** A line longer than this is not a recording line (a recording's polls are a few tens of kB). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export interface RecordingLine {
  text: string | null;
  /** Bytes of the file read up to the end of this line. */
  bytes: number;
  /** The line was longer than MAX_LINE_BYTES and was skipped. */
  tooLong?: boolean;
}

export function* recordingLines(path: string): Generator<RecordingLine> {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let start = 0;
    let end = 0;
    let offset = 0;
    let skipping = false;
    for (;;) {
      if (start > 0 && start === end) {
        start = 0;
        end = 0;
      }
      if (end === buf.length) {
        if (start > 0) {
          buf.copy(buf, 0, start, end);
          end -= start;
          start = 0;
        } else if (buf.length < MAX_LINE_BYTES) {
          const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, MAX_LINE_BYTES));
          buf.copy(bigger, 0, 0, end);
          buf = bigger;
        } else {
          skipping = true; // a line longer than the limit: drop what we have and skip to its end
          end = 0;
        }
      }
      const n = readSync(fd, buf, end, buf.length - end, null);
      const eof = n === 0;
      let scanFrom = end;
      end += n;
      offset += n;
      for (;;) {
        const nl = buf.indexOf(10, scanFrom);
        if (nl < 0 || nl >= end) break;
        if (skipping) {
          skipping = false;
          yield { text: null, bytes: offset - (end - nl - 1), tooLong: true };
        } else {
          yield { text: buf.toString('utf8', start, nl), bytes: offset - (end - nl - 1) };
        }
        start = nl + 1;
        scanFrom = start;
      }
      if (eof) {
        if (start < end) yield skipping ? { text: null, bytes: offset, tooLong: true } : { text: buf.toString('utf8', start, end), bytes: offset };
        return;
      }
    }
  } finally {
    closeSync(fd);
  }
}
