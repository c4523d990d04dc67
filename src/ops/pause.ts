// The operator's pause (`magma-agent pause [--reason]` / `resume`): a file in the data directory, so it survives
// restarts and applies to every mode that directory runs. While it exists the backing and oracle gates are closed:
// no new backings or verdicts, while what is in flight finishes and monitoring (feed, outcomes, reconciliation) goes on.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';

export const PAUSE_FILE = 'paused.json';

export interface PauseState {
  reason: string | null;
  since: string;
}

export function pausePath(dataDir: string): string {
  return join(dataDir, PAUSE_FILE);
}

/** The pause in force, or null. An unreadable or garbled file still pauses: a stop the operator asked for must hold. */
export function readPause(dataDir: string): PauseState | null {
  let text: string;
  try {
    text = readFileSync(pausePath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { reason: `pause file unreadable (${(err as NodeJS.ErrnoException).code ?? 'error'})`, since: new Date(0).toISOString() };
  }
  try {
    const v = JSON.parse(text) as Partial<PauseState>;
    return { reason: typeof v.reason === 'string' ? v.reason : null, since: typeof v.since === 'string' ? v.since : new Date(0).toISOString() };
  } catch {
    return { reason: 'pause file not valid JSON', since: new Date(0).toISOString() };
  }
}

export function writePause(dataDir: string, reason: string | null, now = new Date()): PauseState {
  const state: PauseState = { reason: reason ? reason.slice(0, 500) : null, since: now.toISOString() };
  writeFileAtomic(pausePath(dataDir), JSON.stringify(state) + '\n');
  return state;
}

/** Removes the pause; false when there was none. */
export function clearPause(dataDir: string): boolean {
  const had = readPause(dataDir) !== null;
  rmSync(pausePath(dataDir), { force: true });
  return had;
}

/** The gate's reason text for a pause. */
export function pauseReason(p: PauseState): string {
  return `paused by the operator since ${p.since}${p.reason ? ` (${p.reason})` : ''}: \`magma-agent resume\` lifts it`;
}
