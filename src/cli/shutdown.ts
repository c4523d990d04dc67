// SIGTERM/SIGINT handling for long-running commands: the first signal aborts in-flight work (HTTP calls are
// cancelled, the tick is finished or abandoned between writes, the DB is closed); if cleanup has not finished
// within the grace period the process exits anyway, well inside systemd's default 90 s and our promised 10 s.

export interface Shutdown {
  signal: AbortSignal;
  /** Starts the same clean stop as a signal would (e.g. stdout closed: EPIPE), without the grace timer's message. */
  stop(reason: string): void;
  dispose(): void;
}

export function onShutdown(onSignal: (name: string) => void, graceMs = 8_000): Shutdown {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.exit(1); // a second signal: the operator insists
    }
    onSignal(name);
    controller.abort(new Error(`received ${name}`));
    setTimeout(() => {
      process.stderr.write(`magma-agent: did not stop within ${graceMs / 1000} s of ${name}; exiting now. Committed records are safe; the next start resumes anything in flight.\n`);
      process.exit(1);
    }, graceMs).unref();
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return {
    signal: controller.signal,
    stop(reason) {
      if (!controller.signal.aborted) controller.abort(new Error(reason));
    },
    dispose() {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    },
  };
}
