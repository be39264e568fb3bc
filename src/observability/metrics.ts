/**
 * The process's Prometheus metrics (prom-client). Labels are small closed sets — source, outcome,
 * adapter, reason, route template — never an id. Gauges that describe the database (due triggers,
 * queue depth) are read when scraped, through `readGauges`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** What a scrape reads from the database and the pool; any part may fail (the database is down). */
export interface GaugeSource {
  scheduler(): Promise<{ dueUnclaimed: number; lagSeconds: number }>;
  deliveryQueue(): Promise<Record<string, number>>;
  pool(): { total: number; idle: number; waiting: number } | undefined;
}

const LAG_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

export function createMetrics(opts: { processMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  let source: GaugeSource | undefined;

  const m = {
    registry,
    fires: new Counter({
      name: "routined_fires_total",
      help: "Fires written, by source (schedule, webhook, api, manual) and outcome (the run's status)",
      labelNames: ["source", "outcome"] as const,
      registers: [registry],
    }),
    fireLag: new Histogram({
      name: "routined_fire_lag_seconds",
      help: "From when a fire was due (a schedule's occurrence, or when the request arrived) to its run being written",
      labelNames: ["source"] as const,
      buckets: LAG_BUCKETS,
      registers: [registry],
    }),
    wakeLag: new Histogram({
      name: "routined_agent_wake_lag_seconds",
      help: "From when a heartbeat run was queued (its fire) to its successful delivery to the agent (poll: to its claim, for runs that succeeded)",
      labelNames: ["adapter"] as const,
      buckets: LAG_BUCKETS,
      registers: [registry],
    }),
    schedulerCycles: new Counter({
      name: "routined_scheduler_cycles_total",
      help: "Scheduler loop cycles completed by this process",
      registers: [registry],
    }),
    schedulerLastCycle: new Gauge({
      name: "routined_scheduler_last_cycle_timestamp_seconds",
      help: "When this process's scheduler loop last completed a cycle (Unix time)",
      registers: [registry],
    }),
    webhookRefusals: new Counter({
      name: "routined_webhook_refusals_total",
      help: "Public webhook requests refused, by reason (signature_mismatch, stale_timestamp, rate_limited, http_404, ...)",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    deliveries: new Counter({
      name: "routined_deliveries_total",
      help: "Heartbeat delivery attempts recorded, by adapter (http, process; poll: claimed by a poll agent, counted when it reports) and outcome (succeeded, scheduled_retry, failed, timed_out)",
      labelNames: ["adapter", "outcome"] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "routined_http_request_duration_seconds",
      help: "HTTP request duration by method, route template and status code",
      labelNames: ["method", "route", "status_code"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    /** Where the scrape-time gauges read from (the server sets it once its store is open). */
    setGaugeSource(s: GaugeSource) {
      source = s;
    },
  };

  new Gauge({
    name: "routined_scheduler_due_unclaimed",
    help: "Enabled schedule triggers of active routines whose next run is due now and not yet fired",
    registers: [registry],
    async collect() {
      const s = await source?.scheduler().catch(() => undefined);
      if (s) this.set(s.dueUnclaimed);
    },
  });
  new Gauge({
    name: "routined_scheduler_lag_seconds",
    help: "How far the scheduler is behind: now minus the earliest due next run (0 when nothing is due)",
    registers: [registry],
    async collect() {
      const s = await source?.scheduler().catch(() => undefined);
      if (s) this.set(s.lagSeconds);
    },
  });
  new Gauge({
    name: "routined_delivery_queue_depth",
    help: "Heartbeat runs waiting for delivery, by status (queued, scheduled_retry, running)",
    labelNames: ["status"] as const,
    registers: [registry],
    async collect() {
      const q = await source?.deliveryQueue().catch(() => undefined);
      if (!q) return;
      for (const status of ["queued", "scheduled_retry", "running"]) this.set({ status }, q[status] ?? 0);
    },
  });
  new Gauge({
    name: "routined_db_pool_connections",
    help: "PostgreSQL connections of this process's pool, by state (in_use, idle, waiting: requests queued for a connection)",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      const p = source?.pool();
      if (!p) return;
      this.set({ state: "in_use" }, p.total - p.idle);
      this.set({ state: "idle" }, p.idle);
      this.set({ state: "waiting" }, p.waiting);
    },
  });
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
