/** Routines: list, get, create, update, with the access rules and lifecycle of the spec. */
import type { Config } from "../config";
import type { Actor } from "../domain/actor";
import { OPEN_ISSUE_STATUSES } from "../domain/enums";
import { conflict, forbidden, notFound, unprocessable } from "../domain/errors";
import { changeStatus } from "../domain/routine-lifecycle";
import type { CreateRoutineBody, ListRoutinesQuery, UpdateRoutineBody } from "../domain/schemas/routines";
import type { Db, Executor } from "../store/db";
import { agentsRepo } from "../store/repos/agents";
import { issuesRepo } from "../store/repos/issues";
import { goalsRepo, projectsRepo } from "../store/repos/projects";
import { type RoutineRow, routinesRepo } from "../store/repos/routines";
import { runsRepo } from "../store/repos/runs";
import { triggersRepo } from "../store/repos/triggers";
import { assertCompanyAccess, assertManagesRoutine } from "./access";
import type { CompanyService } from "./companies";
import { recomputeScheduleTriggers } from "./next-run";
import { presentIssueSummary, presentTrigger, presentTriggerSummary } from "./views";

const RECENT_RUNS = 25;

type References = Partial<Pick<RoutineRow, "assigneeAgentId" | "projectId" | "goalId" | "parentIssueId">>;

/** Every id a routine refers to must exist in the routine's company: else 422 naming the field. */
async function checkReferences(db: Executor, companyId: string, refs: References): Promise<void> {
  const checks: [keyof References, (id: string) => Promise<{ companyId: string } | undefined>, string][] = [
    ["assigneeAgentId", (id) => agentsRepo.get(db, id), "agent"],
    ["projectId", (id) => projectsRepo.get(db, id), "project"],
    ["goalId", (id) => goalsRepo.get(db, id), "goal"],
    ["parentIssueId", (id) => issuesRepo.get(db, id), "issue"],
  ];
  for (const [field, find, what] of checks) {
    const id = refs[field];
    if (!id) continue;
    const row = await find(id);
    if (!row || row.companyId !== companyId) throw unprocessable(`${field}: ${what} ${id} not found in this company`);
  }
}

export function createRoutineService(db: Db, config: Pick<Config, "publicUrl">, companies: CompanyService) {
  /** The routine, or 404; agents of another company get 403. */
  async function load(actor: Actor, id: string): Promise<RoutineRow> {
    const row = await routinesRepo.get(db, id);
    if (!row) throw notFound("Routine not found");
    assertCompanyAccess(actor, row.companyId);
    return row;
  }

  return {
    load,
    async list(actor: Actor, companyId: string, query: ListRoutinesQuery) {
      await companies.load(actor, companyId);
      const rows = await routinesRepo.list(db, companyId, query);
      const ids = rows.map((r) => r.id);
      const [triggers, lastRuns, active] = await Promise.all([
        triggersRepo.listByRoutines(db, ids),
        runsRepo.lastRuns(db, ids),
        issuesRepo.openExecutions(db, ids, OPEN_ISSUE_STATUSES),
      ]);
      return rows.map((r) => ({
        ...r,
        triggers: triggers.filter((t) => t.routineId === r.id).map(presentTriggerSummary),
        lastRun: lastRuns.get(r.id) ?? null,
        activeIssue: active.has(r.id) ? presentIssueSummary(active.get(r.id)!) : null,
      }));
    },

    async get(actor: Actor, id: string) {
      const r = await load(actor, id);
      const [project, assignee, parentIssue, triggers, recentRuns, activeIssue] = await Promise.all([
        r.projectId ? projectsRepo.get(db, r.projectId) : undefined,
        r.assigneeAgentId ? agentsRepo.get(db, r.assigneeAgentId) : undefined,
        r.parentIssueId ? issuesRepo.get(db, r.parentIssueId) : undefined,
        triggersRepo.listByRoutine(db, r.id),
        runsRepo.listByRoutine(db, r.id, { limit: RECENT_RUNS }),
        issuesRepo.openExecutions(db, [r.id], OPEN_ISSUE_STATUSES).then((found) => found.get(r.id)),
      ]);
      return {
        ...r,
        project: project ? { id: project.id, name: project.name } : null,
        assignee: assignee ? { id: assignee.id, name: assignee.name, role: assignee.role, title: assignee.title } : null,
        parentIssue: parentIssue ? presentIssueSummary(parentIssue) : null,
        triggers: triggers.map((t) => presentTrigger(t, config.publicUrl)),
        recentRuns,
        activeIssue: activeIssue ? presentIssueSummary(activeIssue) : null,
      };
    },

    async create(actor: Actor, companyId: string, body: CreateRoutineBody) {
      await companies.load(actor, companyId);
      if (actor.kind === "agent" && body.assigneeAgentId !== actor.agentId) {
        throw forbidden("Agents can only assign routines to themselves");
      }
      await checkReferences(db, companyId, body);
      const agentId = actor.kind === "agent" ? actor.agentId : null;
      return routinesRepo.insert(db, {
        ...body,
        companyId,
        description: body.description ?? null,
        goalId: body.goalId ?? null,
        parentIssueId: body.parentIssueId ?? null,
        createdByAgentId: agentId,
        updatedByAgentId: agentId,
      });
    },

    async update(actor: Actor, id: string, body: UpdateRoutineBody) {
      await load(actor, id);
      return db.transaction(async (tx) => {
        const current = (await routinesRepo.getForUpdate(tx, id))!;
        assertManagesRoutine(actor, current);
        if (actor.kind === "agent" && body.assigneeAgentId !== undefined && body.assigneeAgentId !== actor.agentId) {
          throw forbidden("Agents can only assign routines to themselves");
        }
        const change = changeStatus(current.status, body.status);
        if (!change.ok) throw conflict("Routine is archived");
        await checkReferences(tx, current.companyId, body);
        const row = await routinesRepo.update(tx, id, {
          ...body,
          updatedByAgentId: actor.kind === "agent" ? actor.agentId : current.updatedByAgentId,
        });
        if (change.resumed) await recomputeScheduleTriggers(tx, id);
        return row;
      });
    },
  };
}

export type RoutineService = ReturnType<typeof createRoutineService>;
