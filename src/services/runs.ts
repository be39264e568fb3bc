/** Manual runs and run history of a routine. */
import type { Actor } from "../domain/actor";
import { badRequest } from "../domain/errors";
import type { ListRunsQuery, ManualRunBody } from "../domain/schemas/runs";
import type { Db } from "../store/db";
import { issuesRepo } from "../store/repos/issues";
import { runsRepo } from "../store/repos/runs";
import { triggersRepo } from "../store/repos/triggers";
import { refusalError } from "../firing/refusals";
import { assertManagesRoutine } from "./access";
import type { GroupCommit } from "./group-commit";
import type { RoutineService } from "./routines";
import { presentIssueSummary } from "./views";

/** Greater than any uuid: an ISO-time cursor includes every run created at that instant... before it. */
const MAX_UUID = "ffffffff-ffff-ffff-ffff-ffffffffffff";

export function createRunService(db: Db, routines: RoutineService, groupCommit: GroupCommit) {
  return {
    /**
     * `POST /routines/{id}/run`: fires now through the one firing path, together with the fires waiting at the
     * same moment (group commit); the same key returns the same run.
     */
    async run(actor: Actor, routineId: string, body: ManualRunBody) {
      const routine = await routines.load(actor, routineId);
      assertManagesRoutine(actor, routine);
      const answer = await groupCommit.fire({
        routineId,
        source: body.source,
        payload: body.payload ?? null,
        idempotencyKey: body.idempotencyKey ?? null,
        triggerId: body.triggerId ?? null,
      });
      if ("refused" in answer) throw refusalError(answer.refused, body.source);
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
      const [issues, triggers] = await Promise.all([
        issuesRepo.byIds(db, runs.flatMap((r) => (r.linkedIssueId ? [r.linkedIssueId] : []))),
        triggersRepo.listByRoutine(db, routineId),
      ]);
      return runs.map((run) => {
        const issue = run.linkedIssueId ? issues.get(run.linkedIssueId) : undefined;
        const trigger = triggers.find((t) => t.id === run.triggerId);
        return {
          ...run,
          linkedIssue: issue ? presentIssueSummary(issue) : null,
          trigger: trigger ? { id: trigger.id, kind: trigger.kind, label: trigger.label } : null,
        };
      });
    },
  };
}
