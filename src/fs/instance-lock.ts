// One daemon per data directory: two agents on the same wallet, database and rate limits would double every
// budget and could decide the same backing twice. The lock is a file holding the owner's pid, created exclusively;
// a lock left by a process that no longer exists (a crash, SIGKILL) is taken over.
import { closeSync, existsSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isMagmaError, MagmaError } from '../core/errors.js';

export const LOCK_FILE = 'magma-agent.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

export interface InstanceLock {
  release(): void;
}

/**
 * Takes the lock file `name` in `dir` (by default the data directory's). `what` names what the lock protects in the
 * message a second agent gets.
 */
export function acquireInstanceLock(dataDir: string, name = LOCK_FILE, what = `on ${dataDir}`): InstanceLock {
  const path = join(dataDir, name);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new MagmaError('DATA_DIR_UNWRITABLE', `cannot create ${path}: ${(err as Error).message}.`, {
          cause: err, hint: 'Give the agent\'s user write access to the data directory (--data-dir / MAGMA_DATA_DIR).',
        });
      }
      const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new MagmaError('INSTANCE_RUNNING', `another magma-agent (pid ${owner}) is already running ${what}.`, {
          hint: `Stop it first (kill ${owner}, or systemctl stop magma-agent), or give this one another --data-dir.`,
        });
      }
      unlinkSync(path); // stale: its owner is gone
    }
  }
  throw new MagmaError('INSTANCE_RUNNING', `could not take the lock ${path}.`, { hint: 'Remove it if no magma-agent is running.' });
}

/** The wallet's lock, beside its keypair file; null (with a warning) when that folder cannot take a lock file. */
export function lockBesideKeypair(keypair: string, logger: { warn(event: string, fields?: Record<string, unknown>): void }): InstanceLock | null {
  if (!existsSync(keypair)) return null; // --sim creates a throwaway one later; a live run fails on the missing keypair
  try {
    return acquireInstanceLock(dirname(keypair), `.${basename(keypair)}.lock`, `with the wallet ${keypair}`);
  } catch (err) {
    if (isMagmaError(err, 'INSTANCE_RUNNING')) throw err;
    logger.warn('wallet_lock.skipped', { path: keypair, msg: 'cannot create a lock file beside the keypair (read-only folder?): make sure no other agent uses this wallet' });
    return null;
  }
}
