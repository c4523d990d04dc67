// A real-time sleep that an AbortSignal cancels at once (SIGTERM must not wait out a poll interval). Node holds a
// timer's delay in 32 bits and turns anything longer into 1 ms (back-to-back ticks): a longer sleep is taken in steps.

/** The longest delay one setTimeout holds (2^31 − 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

export function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    // NaN is no delay; Infinity sleeps until aborted.
    const total = Number.isNaN(ms) ? 0 : Math.max(0, ms);
    const until = performance.now() + total;
    let timer: NodeJS.Timeout;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const step = () => {
      const left = until - performance.now();
      if (left >= 1) {
        timer = setTimeout(step, Math.min(MAX_TIMER_MS, Math.ceil(left)));
        return;
      }
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    timer = setTimeout(step, Math.min(MAX_TIMER_MS, total));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
