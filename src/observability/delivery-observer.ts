/**
 * What every recorded delivery attempt tells the operator: the delivery counter, the wake lag, and a log line when
 * it failed for good. Runs the dispatcher pushes are recorded with their adapter (http, process) when the adapter
 * answers; runs a poll agent claims through the API, with adapter `poll` when the agent reports its result.
 */
import type { Logger } from "pino";
import type { HeartbeatRunRow } from "../store/repos/heartbeat-runs";
import type { Metrics } from "./metrics";

/** The adapter label of runs a poll agent claimed (`POST /api/agents/me/heartbeat-runs/claim`) and completed. */
export const POLL_ADAPTER = "poll";

export function observeDelivery(metrics: Metrics, log: Pick<Logger, "info" | "debug"> | undefined, run: HeartbeatRunRow, adapter: string): void {
  metrics.deliveries.inc({ adapter, outcome: run.status });
  if (run.status === "succeeded") {
    // A pushed run reached its agent when the adapter's delivery succeeded (now); a polled one, when it was claimed.
    const deliveredAtMs = adapter === POLL_ADAPTER && run.startedAt ? run.startedAt.getTime() : Date.now();
    metrics.wakeLag.observe({ adapter }, Math.max(0, deliveredAtMs - run.createdAt.getTime()) / 1000);
  }
  const fields = { heartbeatRunId: run.id, routineRunId: run.routineRunId, agentId: run.agentId, adapter, attempt: run.attempt, status: run.status };
  if (run.status === "failed" || run.status === "timed_out") {
    log?.info({ ...fields, error: run.error }, "delivery failed for good");
  } else {
    log?.debug(fields, "delivery attempt recorded");
  }
}
