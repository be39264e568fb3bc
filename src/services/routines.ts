/** Routines: list, get, create, update, with the access rules and lifecycle of the spec and Paperclip's drafts. */
import type { Config } from "../config";
import type { Actor } from "../domain/actor";
import { authorOf } from "../domain/actor";
import { OPEN_ISSUE_STATUSES } from "../domain/enums";
import { conflict, forbidden, notFound, unprocessable } from "../domain/errors";
import { type StoredEnv, sealEnv } from "../domain/routine-env";
import { changeStatus, draftGaps } from "../domain/routine-lifecycle";
import {
  type RoutineVariable,
  assertScheduleCompatible,
  assertVariableDefinitions,
  syncVariablesWithTemplate,
} from "../domain/routine-variables";
import type { SecretBox } from "../domain/secret-box";
import type { CreateRoutineBody, ListRoutinesQuery, UpdateRoutineBody } from "../domain/schemas/routines";
import type { Db, Executor } from "../store/db";
import { agentsRepo } from "../store/repos/agents";
import { issuesRepo } from "../store/repos/issues";
import { goalsRepo, projectsRepo } from "../store/repos/projects";
import { routineDocumentsRepo } from "../store/repos/routine-documents";
import { type RoutineRow, routinesRepo } from "../store/repos/routines";
import { runsRepo } from "../store/repos/runs";
import { triggersRepo } from "../store/repos/triggers";
import { assertCompanyAccess, assertManagesRoutine } from "./access";
import { logActivity } from "./activity";
import type { CompanyService } from "./companies";
import { recomputeScheduleTriggers } from "./next-run";
import { recordRevision } from "./revisions";
import { presentDescriptionDocument } from "./routine-description";
import { withRunContext } from "./run-context";
import { presentIssueSummary, presentRoutine, presentTrigger, presentTriggerSummary } from "./views";

const RECENT_RUNS = 25;

/** Whether two stored envs hold the same values (a value sent back redacted keeps its ciphertext). */
const sameEnv = (a: StoredEnv | null, b: StoredEnv | null) =>
  JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());

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

/** Variables as stored: Paperclip's defaults filled in, synced with the placeholders of the title and description. */
function variablesFor(title: string, description: string | null, given: CreateRoutineBody["variables"]): RoutineVariable[] {
  const defined = given.map((v) => ({
    name: v.name,
    label: v.label ?? null,
    type: v.type,
    defaultValue: v.defaultValue ?? null,
    required: v.required,
    options: v.options,
  }));
  assertVariableDefinitions(defined); // names unique among those given (the sync below would keep only one)
  const variables = syncVariablesWithTemplate([title, description], defined);
  assertVariableDefinitions(variables);
  return variables;
}

/** 422 unless the routine has what an active routine needs (a default agent and a project). */
function assertCanBeActive(r: { assigneeAgentId: string | null; projectId: string | null }): void {
  const gaps = draftGaps(r);
  if (gaps.length) throw unprocessable(`Routine is a draft: set ${gaps.join(" and ")} before activating it`, { missing: gaps });
}

export function createRoutineService(db: Db, config: Pick<Config, "publicUrl">, companies: CompanyService, secretBox: SecretBox) {
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
      const runs = new Map((await withRunContext(db, [...lastRuns.values()], triggers)).map((r) => [r.routineId, r]));
      return rows.map((r) => ({
        ...presentRoutine(r),
        triggers: triggers.filter((t) => t.routineId === r.id).map(presentTriggerSummary),
        lastRun: runs.get(r.id) ?? null,
        activeIssue: active.has(r.id) ? presentIssueSummary(active.get(r.id)!) : null,
      }));
    },

    async get(actor: Actor, id: string) {
      const r = await load(actor, id);
      const [project, assignee, parentIssue, triggers, recentRuns, activeIssue, descriptionDocument] = await Promise.all([
        r.projectId ? projectsRepo.get(db, r.projectId) : undefined,
        r.assigneeAgentId ? agentsRepo.get(db, r.assigneeAgentId) : undefined,
        r.parentIssueId ? issuesRepo.get(db, r.parentIssueId) : undefined,
        triggersRepo.listByRoutine(db, r.id),
        runsRepo.listByRoutine(db, r.id, { limit: RECENT_RUNS }),
        issuesRepo.openExecutions(db, [r.id], OPEN_ISSUE_STATUSES).then((found) => found.get(r.id)),
        routineDocumentsRepo.get(db, r.id),
      ]);
      return {
        ...presentRoutine(r),
        project: project
          ? { id: project.id, name: project.name, description: project.description, status: project.status, goalId: null }
          : null,
        assignee: assignee ? { id: assignee.id, name: assignee.name, role: assignee.role, title: assignee.title } : null,
        parentIssue: parentIssue ? presentIssueSummary(parentIssue) : null,
        descriptionDocument: descriptionDocument ? presentDescriptionDocument(descriptionDocument) : null,
        triggers: triggers.map((t) => presentTrigger(t, config.publicUrl)),
        recentRuns: await withRunContext(db, recentRuns, triggers),
        activeIssue: activeIssue ? presentIssueSummary(activeIssue) : null,
      };
    },

    /**
     * A routine without a default agent or a project is saved as a paused draft (Paperclip saves one without
     * an agent so); it is activated by setting both and `status: "active"`.
     */
    async create(actor: Actor, companyId: string, body: CreateRoutineBody) {
      await companies.load(actor, companyId);
      if (actor.kind === "agent" && body.assigneeAgentId !== actor.agentId) {
        throw forbidden("Agents can only manage routines assigned to themselves");
      }
      await checkReferences(db, companyId, body);
      const assigneeAgentId = body.assigneeAgentId ?? null;
      const projectId = body.projectId ?? null;
      const description = body.description ?? null;
      const variables = variablesFor(body.title, description, body.variables);
      const author = authorOf(actor);
      const status = body.status === "active" && draftGaps({ assigneeAgentId, projectId }).length ? "paused" : body.status;
      return db.transaction(async (tx) => {
        const created = await routinesRepo.insert(tx, {
          companyId,
          title: body.title,
          description,
          assigneeAgentId,
          projectId,
          folderId: body.folderId ?? null,
          goalId: body.goalId ?? null,
          parentIssueId: body.parentIssueId ?? null,
          priority: body.priority,
          status,
          concurrencyPolicy: body.concurrencyPolicy,
          catchUpPolicy: body.catchUpPolicy,
          activityGatePolicy: body.activityGatePolicy,
          activityGateScope: body.activityGateScope,
          variables,
          env: body.env ? sealEnv(body.env as Record<string, never>, secretBox, null) : null,
          createdByAgentId: author.agentId,
          createdByUserId: author.userId,
          updatedByAgentId: author.agentId,
          updatedByUserId: author.userId,
          responsibleUserId: author.userId,
        });
        await logActivity(tx, actor, {
          companyId,
          action: "routine.created",
          entityType: "routine",
          entityId: created.id,
          projectId,
          details: { title: created.title, assigneeAgentId, status },
        });
        const { routine } = await recordRevision(tx, created, actor, "Created routine");
        return presentRoutine(routine);
      });
    },

    async update(actor: Actor, id: string, body: UpdateRoutineBody) {
      await load(actor, id);
      return db.transaction(async (tx) => {
        const current = (await routinesRepo.getForUpdate(tx, id))!;
        assertManagesRoutine(actor, current);
        const { baseRevisionId, ...patch } = body;
        if (baseRevisionId && baseRevisionId !== current.latestRevisionId) {
          throw conflict("Routine was updated by someone else since it was loaded: reload it and apply your change again", {
            currentRevisionId: current.latestRevisionId,
          });
        }
        if (Object.keys(patch).length === 0) return presentRoutine(current);
        if (actor.kind === "agent" && patch.assigneeAgentId !== undefined && patch.assigneeAgentId !== actor.agentId) {
          throw forbidden("Agents can only assign routines to themselves");
        }
        const change = changeStatus(current.status, patch.status);
        if (!change.ok) throw conflict("Routine is archived");
        await checkReferences(tx, current.companyId, patch);
        const next = {
          title: patch.title ?? current.title,
          description: patch.description === undefined ? current.description : patch.description,
          assigneeAgentId: patch.assigneeAgentId === undefined ? current.assigneeAgentId : patch.assigneeAgentId,
          projectId: patch.projectId === undefined ? current.projectId : patch.projectId,
        };
        if (patch.status === "active") assertCanBeActive(next);
        // Removing the agent or project of an active routine makes it a paused draft.
        const status = (patch.status ?? current.status) === "active" && draftGaps(next).length ? "paused" : (patch.status ?? current.status);
        const variables = variablesFor(next.title, next.description, patch.variables ?? current.variables);
        const triggers = await triggersRepo.listByRoutine(tx, id);
        if (triggers.some((t) => t.kind === "schedule" && t.enabled)) assertScheduleCompatible(variables);
        const author = authorOf(actor);
        const env: StoredEnv | null | undefined =
          patch.env === undefined ? undefined : patch.env === null ? null : sealEnv(patch.env as Record<string, never>, secretBox, current.env);
        const { env: _env, variables: _variables, ...fields } = patch;
        const row = await routinesRepo.update(tx, id, {
          ...fields,
          ...next,
          status,
          variables,
          ...(env === undefined ? {} : { env }),
          updatedByAgentId: author.agentId,
          updatedByUserId: author.userId,
        });
        const resumed = change.resumed && status === "active";
        if (resumed) await recomputeScheduleTriggers(tx, id);
        await logActivity(tx, actor, {
          companyId: row.companyId,
          action: "routine.updated",
          entityType: "routine",
          entityId: id,
          projectId: row.projectId,
          details: { title: row.title, fields: Object.keys(patch) },
        });
        const { routine } = await recordRevision(tx, row, actor, "Updated routine", { changed: env !== undefined && !sameEnv(env, current.env) });
        return presentRoutine(routine);
      });
    },
  };
}

export type RoutineService = ReturnType<typeof createRoutineService>;
