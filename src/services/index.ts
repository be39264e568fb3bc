/** Builds every service from its dependencies; the HTTP layer, the CLI and the loops use this. */
import type { Logger } from "pino";
import type { Config } from "../config";
import type { Clock } from "../domain/clock";
import type { SecretBox } from "../domain/secret-box";
import { type Db, type Store, dbNow } from "../store/db";
import { createActivityService } from "./activity";
import { createAuthService } from "./auth";
import { createRevisionService } from "./revisions";
import { createAnnotationService } from "./annotations";
import { createBackfillService } from "./backfill";
import { createAgentWakeups } from "./agent-wakeups";
import { createAgentService } from "./agents";
import { createCompanyService } from "./companies";
import { createCronService } from "./cron";
import { createHeartbeatDispatchService } from "./heartbeat-dispatch";
import { createHeartbeatRunService } from "./heartbeat-runs";
import { createIssueService } from "./issues";
import { createGoalService, createProjectService } from "./projects";
import { createFiring } from "../firing/batch";
import { createGroupCommit } from "./group-commit";
import { onIssueStatusChange } from "./run-status";
import { createRoutineService } from "./routines";
import { createRunService } from "./runs";
import { createSchedulingService } from "./scheduling";
import { createTriggerService } from "./triggers";
import { createWebhookFireService } from "./webhook-fire";
import { POLL_ADAPTER, observeDelivery } from "../observability/delivery-observer";
import { createFireObserver } from "../observability/fire-observer";
import { type Metrics, createMetrics } from "../observability/metrics";
import { type LoopProbe, createReadinessProbe } from "../observability/readiness";

export interface ServiceDeps {
  db: Db;
  config: Config;
  secretBox: SecretBox;
  clock: Clock;
  log?: Pick<Logger, "error" | "info" | "debug">;
  /** The process's metrics (the server passes one with process metrics); a fresh registry otherwise. */
  metrics?: Metrics;
  /** LISTEN for NOTIFYs (`Store.listen`): wakes long-polling agents. Without it they wait out their waitSec. */
  listen?: Store["listen"];
  /** Whether the LISTEN connection is up (`Store.listenerUp`), for readiness. */
  listenerUp?: Store["listenerUp"];
}

export function createServices(deps: ServiceDeps) {
  const { db, config, secretBox, clock } = deps;
  const companies = createCompanyService(db);
  const routines = createRoutineService(db, config, companies, secretBox);
  const metrics = deps.metrics ?? createMetrics();
  const firing = createFiring(config, undefined, createFireObserver(metrics, deps.log));
  /** The loops this process runs, for readiness (the server fills it in). */
  const loops: Record<string, LoopProbe | undefined> = {};
  const groupCommit = createGroupCommit({ db, firing });
  const agents = createAgentService(db, companies, deps.secretBox, config.adapters);
  return {
    metrics,
    ops: { loops, readiness: createReadinessProbe({ db, loops, listenerUp: deps.listenerUp }) },
    auth: createAuthService(db, config),
    /** `ping` succeeds when the database answers (ends an outage). */
    database: { ping: () => dbNow(db) },
    companies,
    agents,
    heartbeatRuns: createHeartbeatRunService({
      ...deps,
      agents,
      wakeups: createAgentWakeups(deps.listen),
      onRecord: (run) => observeDelivery(metrics, deps.log, run, POLL_ADAPTER),
    }),
    heartbeatDispatch: createHeartbeatDispatchService(deps),
    projects: createProjectService(db, companies),
    goals: createGoalService(db, companies),
    routines,
    revisions: createRevisionService({ db, publicUrl: config.publicUrl, secretBox, routines }),
    annotations: createAnnotationService(db, routines),
    activity: createActivityService(db, companies),
    triggers: createTriggerService({ db, config, secretBox, routines }),
    firing,
    /** Issue and heartbeat events → routine-run transitions. */
    runStatus: { onIssueStatusChange },
    runs: createRunService(db, routines, groupCommit),
    backfill: createBackfillService(db, routines, firing),
    scheduling: createSchedulingService({ db, config, firing, log: deps.log, listen: deps.listen }),
    webhooks: createWebhookFireService({ db, config, secretBox, clock, groupCommit }),
    cron: createCronService(deps.clock),
    issues: createIssueService(db, companies, { onStatusChange: (tx, issue) => onIssueStatusChange(tx, issue) }),
  };
}

export type Services = ReturnType<typeof createServices>;
