// `magma-agent … | head -1`: once the reader goes away, writes to stdout fail with EPIPE. That is not an error of
// ours: the command ends quietly (a daemon stops cleanly first, releasing its lock) instead of crashing.
let handler: (() => void) | null = null;
let stopping = false;
let installed = false;

/**
 * Installs the EPIPE handling once. With `onClosed` (the daemon), the first EPIPE calls it and later ones are
 * ignored while it stops; without one, the command exits 0 at once. Returns a function that removes `onClosed`.
 */
export function onStdoutClosed(onClosed?: () => void): () => void {
  if (!installed) {
    installed = true;
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') throw err;
        if (stopping) return;
        if (handler) {
          stopping = true;
          handler();
        } else {
          process.exit(0);
        }
      });
    }
  }
  if (onClosed) handler = onClosed;
  return () => {
    handler = null;
  };
}
