// A hint to tick early (a webhook delivery). Many hints before the next tick count as one; the daemon decides
// when the rate budget allows it. Nothing here carries data: a hint never decides money.

export class Wakeup {
  private pending: string | null = null;
  private waiter: ((reason: string) => void) | null = null;

  trigger(reason: string): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(reason);
    } else {
      this.pending ??= reason;
    }
  }

  /** Resolves with the reason at the next hint (at once if one is pending); rejects when the signal aborts. */
  wait(signal: AbortSignal): Promise<string> {
    if (this.pending !== null) {
      const reason = this.pending;
      this.pending = null;
      return Promise.resolve(reason);
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        if (this.waiter === settle) this.waiter = null;
        reject(signal.reason);
      };
      const settle = (reason: string) => {
        signal.removeEventListener('abort', onAbort);
        resolve(reason);
      };
      this.waiter = settle;
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
