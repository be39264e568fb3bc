/** What every recorded delivery attempt tells the operator: the delivery counter, the wake lag, and a log line when it failed for good. */
import type { Logger } from "pino";
import type { HeartbeatRunRow } from "../store/repos/heartbeat-runs";
import type { Metrics } from "./metrics";

export function observeDelivery(metrics: Metrics, log: Pick<Logger, "info" | "debug">, run: HeartbeatRunRow, adapter: string): void {
  metrics.deliveries.inc({ adapter, outcome: run.status });
  if (run.status === "succeeded") {
    metrics.wakeLag.observe({ adapter }, Math.max(0, Date.now() - run.createdAt.getTime()) / 1000);
  }
  const fields = { heartbeatRunId: run.id, routineRunId: run.routineRunId, agentId: run.agentId, adapter, attempt: run.attempt, status: run.status };
  if (run.status === "failed" || run.status === "timed_out") {
    log.info({ ...fields, error: run.error }, "delivery failed for good");
  } else {
    log.debug(fields, "delivery attempt recorded");
  }
}
