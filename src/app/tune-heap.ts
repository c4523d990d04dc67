// The daemon lives for months and allocates little per tick: a small young generation keeps its resident memory low
// (V8's default reserves 32 MB for it), at the cost of a few more, very short, scavenges per tick. Set before the
// heap grows (the start of `run`).
import { setFlagsFromString } from 'node:v8';

export const DAEMON_SEMI_SPACE_MB = 4;

export function tuneHeapForDaemon(): void {
  setFlagsFromString(`--max-semi-space-size=${DAEMON_SEMI_SPACE_MB}`);
}
