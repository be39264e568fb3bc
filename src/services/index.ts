/** Builds every service from its dependencies; the HTTP layer, the CLI and the loops use this. */
import type { Logger } from "pino";
import type { Config } from "../config";
import type { Clock } from "../domain/clock";
import type { SecretBox } from "../domain/secret-box";
import type { Db } from "../store/db";
import { createAuthService } from "./auth";
import { createBackfillService } from "./backfill";
import { createAgentService } from "./agents";
import { createCompanyService } from "./companies";
import { createCronService } from "./cron";
import { createIssueService } from "./issues";
import { createGoalService, createProjectService } from "./projects";
import { createFiringService } from "./firing";
import { createRoutineService } from "./routines";
import { createRunService } from "./runs";
import { createSchedulingService } from "./scheduling";
import { createTriggerService } from "./triggers";

export interface ServiceDeps {
  db: Db;
  config: Config;
  secretBox: SecretBox;
  clock: Clock;
  log?: Pick<Logger, "error">;
}

export function createServices(deps: ServiceDeps) {
  const { db, config, secretBox } = deps;
  const companies = createCompanyService(db);
  const routines = createRoutineService(db, config, companies);
  const firing = createFiringService(db, config);
  return {
    auth: createAuthService(db, config),
    companies,
    agents: createAgentService(db, companies),
    projects: createProjectService(db, companies),
    goals: createGoalService(db, companies),
    routines,
    triggers: createTriggerService({ db, config, secretBox, routines }),
    firing,
    runs: createRunService(db, routines, firing),
    backfill: createBackfillService(db, routines, firing),
    scheduling: createSchedulingService(db, config, firing, deps.log),
    cron: createCronService(deps.clock),
    issues: createIssueService(db, companies, { onStatusChange: (tx, issue) => firing.onIssueStatusChange(tx, issue) }),
  };
}

export type Services = ReturnType<typeof createServices>;
