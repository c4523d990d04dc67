// Reading a file the agent needs (keypair, stored key): a file the agent's user may not read is reported as
// "permission denied" with its owner and mode, never as "not valid JSON", which could push an operator to
// regenerate a funded wallet.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { MagmaError, type ErrorCode } from '../core/errors.js';

function userName(uid: number): string {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === String(uid));
    if (line) return line.split(':')[0]!;
  } catch {
    // no passwd file: the number alone
  }
  return `uid ${uid}`;
}

/** Who owns the file, its mode and who we are, in words (for messages). */
export function describeAccess(path: string): { owner: string; mode: string; self: string } {
  const st = statSync(path);
  let self: string;
  try {
    self = userInfo().username;
  } catch {
    self = `uid ${process.getuid?.() ?? '?'}`;
  }
  return { owner: userName(st.uid), mode: (st.mode & 0o777).toString(8).padStart(4, '0'), self };
}

/**
 * The first of `paths` (files or folders; missing ones are skipped) the agent's user may not read and write, in
 * words with its owner and mode; null when every one is fine.
 */
export function accessProblem(paths: readonly string[]): string | null {
  for (const p of paths) {
    try {
      accessSync(p, constants.R_OK | constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EPERM') continue;
      try {
        const a = describeAccess(p);
        return `${p}: permission denied (owner ${a.owner}, mode ${a.mode}; the agent runs as ${a.self})`;
      } catch {
        return `${p}: permission denied`;
      }
    }
  }
  return null;
}

const NOT_OURS = 'Run the agent as the user that owns it (e.g. `sudo -u magma magma-agent …`), or give that user read access; the file itself is fine, do not regenerate it.';

/** readFileSync(path, 'utf8'), with EACCES/EPERM turned into an error that says whose file it is and what to do. */
export function readFileOrExplain(path: string, what: string, code: ErrorCode, hint = NOT_OURS): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code !== 'EACCES' && e.code !== 'EPERM') throw err;
    let who = '';
    try {
      const a = describeAccess(path);
      who = ` (owner ${a.owner}, mode ${a.mode}; the agent runs as ${a.self})`;
    } catch {
      // the folder itself is closed to us: no owner to show
    }
    throw new MagmaError(code, `${what} ${path} cannot be read: permission denied${who}.`, {
      cause: err,
      hint,
    });
  }
}
