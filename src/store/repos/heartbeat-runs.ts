/** Heartbeat runs: one wake-up of an agent for an issue. */
import { sql } from "drizzle-orm";
import { CHANNELS } from "../../domain/channels";
import { type Executor, notify } from "../db";
import { heartbeatRuns } from "../schema";

export type HeartbeatRunRow = typeof heartbeatRuns.$inferSelect;

/** Queues a heartbeat run and wakes the dispatchers (on commit). Call inside the firing transaction. */
export async function enqueueHeartbeatRun(
  tx: Executor,
  values: { companyId: string; agentId: string; issueId: string; routineRunId: string; maxAttempts: number },
): Promise<HeartbeatRunRow> {
  const [row] = await tx
    .insert(heartbeatRuns)
    .values({ ...values, status: "queued", runAfter: sql`now()` })
    .returning();
  await notify(tx, CHANNELS.heartbeatRuns, values.agentId);
  return row!;
}
