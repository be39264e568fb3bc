/**
 * What every written fire tells the operator: one info log line, the fire counter and the lag histogram. The
 * firing path calls it once the fire's transaction has committed (`lib/after-commit.ts`): a rolled-back batch, or one
 * retried fire by fire, counts each fire that happened once; the lag runs to the commit.
 */
import type { Logger } from "pino";
import type { Metrics } from "./metrics";

export interface WrittenFire {
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
  return (fires: readonly WrittenFire[]) => {
    const now = Date.now();
    for (const f of fires) {
      const lagMs = Math.max(0, now - (f.scheduledFor ?? f.triggeredAt).getTime());
      metrics.fires.inc({ source: f.source, outcome: f.status });
      metrics.fireLag.observe({ source: f.source }, lagMs / 1000);
      log?.info(
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
