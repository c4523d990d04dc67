// The data directory: created 0700 when missing, and a clear error when it cannot be.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { MagmaError } from '../core/errors.js';

export function ensureDataDir(dir: string): string {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new MagmaError('DATA_DIR_UNWRITABLE', `the data directory ${dir} cannot be created or written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, {
      cause: err,
      hint: 'Create it and give the agent\'s user write access (chown/chmod), or point --data-dir / MAGMA_DATA_DIR elsewhere.',
    });
  }
  return dir;
}
