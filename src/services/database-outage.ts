/**
 * One warning per database outage, not one line per failed request or loop cycle: the first failure logs
 * the cause (an SQLSTATE or errno, never query text), later ones are counted, and one line says when the
 * database answers again — found by `probe` (tried every second while the outage lasts), or without a probe
 * by the next success reported with `succeeded()`.
 */
import type { Logger } from "pino";

export interface OutageLogOptions {
  log: Pick<Logger, "warn" | "info">;
  /** Who noticed, e.g. "http" or "scheduler" (a log field). */
  component: string;
  /** A query that succeeds once the database is back (e.g. `select now()`). */
  probe?: () => Promise<unknown>;
  probeEveryMs?: number;
}

export function createOutageLog(o: OutageLogOptions) {
  const probeEveryMs = o.probeEveryMs ?? 1_000;
  let outage: { since: number; cause: string; failures: number } | undefined;
  let probeTimer: NodeJS.Timeout | undefined;
  let closed = false;

  function recovered(): void {
    if (!outage) return;
    o.log.info(
      { component: o.component, downMs: Date.now() - outage.since, failures: outage.failures },
      "database available again",
    );
    outage = undefined;
  }

  function probeLater(): void {
    if (!o.probe || closed || probeTimer) return;
    probeTimer = setTimeout(() => {
      probeTimer = undefined;
      o.probe!().then(recovered, probeLater);
    }, probeEveryMs);
    probeTimer.unref?.();
  }

  return {
    /** A request or cycle failed because the database is unavailable. */
    failed(cause: string): void {
      if (outage) {
        outage.failures++;
        return;
      }
      outage = { since: Date.now(), cause, failures: 1 };
      o.log.warn({ component: o.component, cause }, "database unavailable: retrying until it is back (requests get 503 with Retry-After)");
      probeLater();
    },
    /** Something that needed the database worked (ends the outage when there is no probe). */
    succeeded(): void {
      if (!o.probe) recovered();
    },
    get down(): boolean {
      return outage !== undefined;
    },
    close(): void {
      closed = true;
      if (probeTimer) clearTimeout(probeTimer);
    },
  };
}

export type OutageLog = ReturnType<typeof createOutageLog>;
