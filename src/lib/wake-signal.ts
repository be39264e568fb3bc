/**
 * A sleep that a notification ends early. A notification sent while nobody sleeps is kept, so the
 * next sleep returns at once: nothing signalled between "checked, nothing to do" and "sleep" is lost.
 */
export function createWakeSignal() {
  let pending = false;
  let wakeSleeper: (() => void) | undefined;
  return {
    notify(): void {
      pending = true;
      wakeSleeper?.();
    },
    /** Resolves after `ms`, on `notify`, or when `signal` aborts. */
    wait(ms: number, signal?: AbortSignal): Promise<void> {
      if (pending || signal?.aborted) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const timer = setTimeout(done, Math.max(0, ms));
        signal?.addEventListener("abort", done, { once: true });
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          wakeSleeper = undefined;
          pending = false;
          resolve();
        }
        wakeSleeper = done;
      });
    },
  };
}

export type WakeSignal = ReturnType<typeof createWakeSignal>;
