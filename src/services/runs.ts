/** Manual runs and run history of a routine. */
import type { Actor } from "../domain/actor";
import { badRequest, forbidden, unprocessable } from "../domain/errors";
import { type ListRunsQuery, type ManualRunInput, manualRunBody } from "../domain/schemas/runs";
import { agentsRepo } from "../store/repos/agents";
import { projectsRepo } from "../store/repos/projects";
import type { Db } from "../store/db";
import { runsRepo } from "../store/repos/runs";
import { triggersRepo } from "../store/repos/triggers";
import type { FireRequest } from "../firing/plan";
import { refusalError } from "../firing/refusals";
import { assertManagesRoutine } from "./access";
import type { GroupCommit } from "./group-commit";
import type { RoutineService } from "./routines";
import { withRunContext } from "./run-context";

/** Greater than any uuid: an ISO-time cursor includes every run created at that instant... before it. */
const MAX_UUID = "ffffffff-ffff-ffff-ffff-ffffffffffff";

export function createRunService(db: Db, routines: RoutineService, groupCommit: GroupCommit) {
  /** The agent and project a run names instead of the routine's must be of the routine's company. */
  async function checkRunReferences(companyId: string, body: { assigneeAgentId?: string | null; projectId?: string | null }) {
    const agent = body.assigneeAgentId ? await agentsRepo.get(db, body.assigneeAgentId) : undefined;
    if (body.assigneeAgentId && agent?.companyId !== companyId) {
      throw unprocessable(`assigneeAgentId: agent ${body.assigneeAgentId} not found in this company`);
    }
    const project = body.projectId ? await projectsRepo.get(db, body.projectId) : undefined;
    if (body.projectId && project?.companyId !== companyId) throw unprocessable(`projectId: project ${body.projectId} not found in this company`);
  }

  return {
    /**
     * `POST /routines/{id}/run`: fires now through the one firing path, together with the fires waiting at the
     * same moment (group commit); the same key returns the same run. Checked here: who may run the routine and
     * what the run names (its agent, its project). The routine's and trigger's state (archived, a disabled or
     * foreign trigger, a draft, the variables) is the planner's to judge under the routine's lock, with the
     * messages of `firing/refusals.ts`. `log`: the request's logger, for the fire's log line (with the request id).
     */
    async run(actor: Actor, routineId: string, input: ManualRunInput | undefined, log?: FireRequest["log"]) {
      const body = manualRunBody.parse(input ?? {});
      const routine = await routines.load(actor, routineId);
      assertManagesRoutine(actor, routine);
      if (actor.kind === "agent" && body.assigneeAgentId && body.assigneeAgentId !== actor.agentId) {
        throw forbidden("Agents can only assign routines to themselves");
      }
      await checkRunReferences(routine.companyId, body);
      const answer = await groupCommit.fire({
        routineId,
        source: body.source,
        payload: body.payload ?? null,
        variables: body.variables ?? null,
        idempotencyKey: body.idempotencyKey ?? null,
        triggerId: body.triggerId ?? null,
        assigneeAgentId: body.assigneeAgentId ?? null,
        projectId: body.projectId ?? null,
        actor,
        log,
      });
      if ("refused" in answer) throw refusalError(answer.refused, body.source, answer.detail, answer.missing);
      return answer.run;
    },

    async list(actor: Actor, routineId: string, query: ListRunsQuery) {
      await routines.load(actor, routineId);
      let before: { createdAt: Date; id: string } | undefined;
      if (query.before && /^\d{4}-/.test(query.before)) {
        before = { createdAt: new Date(query.before), id: MAX_UUID };
      } else if (query.before) {
        const cursor = await runsRepo.get(db, query.before);
        if (!cursor || cursor.routineId !== routineId) throw badRequest("before: no run with this id in this routine");
        before = { createdAt: cursor.createdAt, id: cursor.id };
      }
      const runs = await runsRepo.listByRoutine(db, routineId, { limit: query.limit, status: query.status, before });
      return withRunContext(db, runs, await triggersRepo.listByRoutine(db, routineId));
    },
  };
}
