/**
 * What every written fire tells the operator: one info log line, the fire counter and the lag histogram. The
 * line of a fire an HTTP request asked for (a webhook delivery, a manual or API run) is logged with that
 * request's logger, so it carries the request's id.
 */
import type { Logger } from "pino";
import type { Metrics } from "./metrics";

export interface WrittenFire {
  id: string;
  routineId: string;
  triggerId: string | null;
  source: string;
  status: string;
  /** When it was due: a schedule's occurrence; otherwise when it was received. */
  scheduledFor: Date | null;
  triggeredAt: Date;
  failureReason?: unknown;
}

export function createFireObserver(metrics: Metrics, log?: Pick<Logger, "info">) {
  return (fires: readonly WrittenFire[], requestLogs?: ReadonlyMap<string, Pick<Logger, "info">>) => {
    const now = Date.now();
    for (const f of fires) {
      const lagMs = Math.max(0, now - (f.scheduledFor ?? f.triggeredAt).getTime());
      metrics.fires.inc({ source: f.source, outcome: f.status });
      metrics.fireLag.observe({ source: f.source }, lagMs / 1000);
      (requestLogs?.get(f.id) ?? log)?.info(
        {
          routineId: f.routineId,
          triggerId: f.triggerId,
          source: f.source,
          outcome: f.status,
          lagMs,
          ...(typeof f.failureReason === "string" ? { reason: f.failureReason } : {}),
        },
        "fire",
      );
    }
  };
}
