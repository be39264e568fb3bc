/**
 * Group commit for requests: work that arrives while earlier batches are busy waits and goes in the next
 * batch, so a busy server does one round of database work for many requests instead of one each. An idle
 * server adds no delay: the first item starts a batch on the next turn of the event loop (which also
 * collects items that arrived in the same turn).
 */
export interface BatcherOptions {
  /** Largest batch. */
  maxBatch: number;
  /** Batches running at once; more items wait for one of them to finish. */
  maxInFlight: number;
}

/** `run` answers each item of a batch, in order: a value, or an Error for that item alone. */
export type BatchRunner<T, R> = (items: T[]) => Promise<(R | Error)[]>;

export interface Batcher<T, R> {
  load(item: T): Promise<R>;
}

export function createBatcher<T, R>(run: BatchRunner<T, R>, { maxBatch, maxInFlight }: BatcherOptions): Batcher<T, R> {
  type Waiting = { item: T; resolve: (value: R) => void; reject: (error: unknown) => void };
  let queue: Waiting[] = [];
  let inFlight = 0;
  let scheduled = false;

  function schedule(): void {
    if (scheduled || inFlight >= maxInFlight || queue.length === 0) return;
    scheduled = true;
    setImmediate(start);
  }

  function start(): void {
    scheduled = false;
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      inFlight++;
      void execute(batch).finally(() => {
        inFlight--;
        schedule();
      });
    }
  }

  async function execute(batch: Waiting[]): Promise<void> {
    try {
      const results = await run(batch.map((w) => w.item));
      batch.forEach((w, i) => {
        const result = results[i];
        if (result instanceof Error) w.reject(result);
        else w.resolve(result as R);
      });
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }

  return {
    load(item: T): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
  };
}
