/**
 * Group commit of fires that callers wait for: webhook deliveries, and manual and API runs. Fires that arrive
 * while a batch is being written wait and go in the next batch; a batch is one fire batch (`firing/batch.ts`:
 * lock, one read, plan each in order, one write) and one transaction. Each fire gets its own answer: its run,
 * or why it was refused. When the batch fails as a whole, each fire is tried alone (`togetherOrOneByOne`), so
 * one cannot fail the others.
 */
import { createBatcher } from "../lib/batcher";
import { type FireAnswer, type Firing, togetherOrOneByOne } from "../firing/batch";
import type { FireRequest } from "../firing/plan";
import type { Db, Executor } from "../store/db";

/** Plans and writes `fires` in the caller's transaction, as one batch; an answer per fire, in order. */
export async function fireTogether(firing: Firing, tx: Executor, fires: FireRequest[]): Promise<FireAnswer[]> {
  const batch = await firing.open(tx, { fires });
  return batch.flush();
}

export function createGroupCommit({ db, firing }: { db: Db; firing: Firing }) {
  /**
   * One batch at a time: the next one gathers what arrives meanwhile. (Two at a time measured slower on two
   * cores: smaller batches, and both wait on the same routine and company locks.)
   */
  const batches = createBatcher(
    (fires: FireRequest[]) =>
      togetherOrOneByOne<FireRequest, FireAnswer | Error>(db, {
        items: () => fires,
        together: (tx, items) => fireTogether(firing, tx, items),
        failed: (_fire, err) => (err instanceof Error ? err : new Error(String(err))),
      }),
    { maxBatch: 200, maxInFlight: 1 },
  );

  return {
    /** Fires with whatever other fires are waiting: its run, or why it was refused. */
    fire: (fire: FireRequest): Promise<FireAnswer> => batches.load(fire),
  };
}

export type GroupCommit = ReturnType<typeof createGroupCommit>;
