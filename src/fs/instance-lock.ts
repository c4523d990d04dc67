// One daemon per data directory: two agents on the same wallet, database and rate limits would double every
// budget and could decide the same backing twice. The lock is a file holding the owner's pid, created exclusively,
// with what survives pid reuse: the process's start time and the boot id (Linux /proc), and linked into place whole
// (never seen empty by an agent starting at the same moment). A lock left by a process
// that no longer exists (a crash, SIGKILL), by an earlier boot, or whose pid now belongs to another process (after a
// reboot) is taken over.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isMagmaError, MagmaError } from '../core/errors.js';

export const LOCK_FILE = 'magma-agent.lock';

/** Whether `pid` exists: 'ours' (we may signal it), 'other-user' (it exists, another user's), or 'gone'. */
function probe(pid: number): 'ours' | 'other-user' | 'gone' {
  try {
    process.kill(pid, 0);
    return 'ours';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? 'other-user' : 'gone';
  }
}

/** The process's start time in clock ticks since boot (/proc/PID/stat field 22), or null where /proc is absent. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null; // fields after "pid (comm)" start at 3
  } catch {
    return null;
  }
}

function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return null;
  }
}

export interface LockOwner {
  pid: number;
  start: string | null;
  boot: string | null;
}

function parseLock(text: string): LockOwner {
  const [first = '', ...rest] = text.split('\n');
  const field = (k: string) => rest.find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1).trim() || null;
  return { pid: Number.parseInt(first, 10), start: field('start'), boot: field('boot') };
}

/** What holdsLock asks of the system (tests stand in for it). */
export interface LockProbes {
  probe(pid: number): 'ours' | 'other-user' | 'gone';
  bootId(): string | null;
  startTime(pid: number): string | null;
  commandLine(pid: number): string | null;
  /** The lock file's owner uid, and ours (null where uids do not apply). */
  fileUid(path: string): number | null;
  selfUid(): number | null;
  selfPid: number;
}

const systemProbes: LockProbes = {
  probe, bootId, startTime: processStartTime, commandLine,
  fileUid: (path) => {
    try {
      return statSync(path).uid;
    } catch {
      return null;
    }
  },
  selfUid: () => process.getuid?.() ?? null,
  selfPid: process.pid,
};

/** Whether the lock at `path` (holding `owner`) is still held by the process that wrote it. */
export function holdsLock(owner: LockOwner, path: string, sys: LockProbes = systemProbes): boolean {
  if (!Number.isInteger(owner.pid) || owner.pid <= 0 || owner.pid === sys.selfPid) return false;
  const seen = sys.probe(owner.pid);
  if (seen === 'gone') return false;
  const boot = sys.bootId();
  if (owner.boot && boot && owner.boot !== boot) return false; // written before a reboot
  // The writer ran as the lock file's owner; a process we may not even signal runs as someone else, so it is not
  // the writer when we are that owner (the pid was reused; under ProtectProc=invisible its /proc is hidden from us).
  const fileUid = sys.fileUid(path);
  const self = sys.selfUid();
  if (seen === 'other-user' && fileUid !== null && self !== null && self !== 0 && fileUid === self) return false;
  const start = sys.startTime(owner.pid);
  if (owner.start && start) return owner.start === start; // the same pid, but another process if it started later
  // A lock without identity (an older agent, or written by hand): only a process that looks like an agent holds it.
  const cmd = sys.commandLine(owner.pid);
  return cmd === null || /magma-agent|cli\.js/.test(cmd);
}

/**
 * Creates the lock file with its contents in one step: written beside it first, then linked into place, so another
 * agent starting at the same moment never reads an empty lock (which it would take for a stale one and remove). EEXIST
 * when a lock is there. A file system without hard links gets an exclusive create and a write.
 */
function createLockFile(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    const fd = openSync(path, 'wx', 0o600);
    writeSync(fd, content);
    closeSync(fd);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
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
      const start = processStartTime(process.pid);
      const boot = bootId();
      createLockFile(path, `${process.pid}\n${start ? `start=${start}\n` : ''}${boot ? `boot=${boot}\n` : ''}`);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (parseLock(readFileSync(path, 'utf8')).pid === process.pid) unlinkSync(path);
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
      const seen = readFileSync(path, 'utf8');
      const owner = parseLock(seen);
      if (holdsLock(owner, path)) {
        throw new MagmaError('INSTANCE_RUNNING', `another magma-agent (pid ${owner.pid}) is already running ${what}.`, {
          hint: `Stop it first (kill ${owner.pid}, or systemctl stop magma-agent), or give this one another --data-dir. If no agent runs, delete ${path}.`,
        });
      }
      // Stale: its owner is gone, or the pid now belongs to another process. Taken over only if it is still the file
      // judged stale (another agent starting at the same moment may have taken it over already).
      if (readFileSync(path, 'utf8') === seen) unlinkSync(path);
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
