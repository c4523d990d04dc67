// `magma-agent … | head -1`: once the reader goes away, writes to stdout fail with EPIPE. That is not an error of
// ours: the command ends quietly (a daemon stops cleanly first, releasing its lock) instead of crashing.
type Handler = () => void;
let handler: Handler | null = null;
let installed = false;

/** Installs the EPIPE handling once; `onClosed` replaces what happens (default: exit 0 at once). */
export function onStdoutClosed(onClosed?: Handler): () => void {
  if (!installed) {
    installed = true;
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') throw err;
        if (handler) {
          const h = handler;
          handler = null;
          h();
        } else if (!onClosedPending) {
          process.exit(0);
        }
      });
    }
  }
  if (onClosed) handler = () => {
    onClosedPending = true;
    onClosed();
  };
  return () => {
    handler = null;
  };
}
let onClosedPending = false;
