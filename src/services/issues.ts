/**
 * Issues and their comments. Any actor of the issue's company may read, create, update and comment.
 * A status change and whatever depends on it (the routine run an execution issue belongs to) commit
 * together: `hooks.onStatusChange` runs inside the update's transaction, on the locked row.
 */
import type { Actor } from "../domain/actor";
import { badRequest, notFound, unprocessable } from "../domain/errors";
import type { IssueStatus } from "../domain/enums";
import type { CreateIssueBody, IssueComment, ListIssuesQuery, UpdateIssueBody } from "../domain/schemas/issues";
import type { Db, Executor, Tx } from "../store/db";
import { agentsRepo } from "../store/repos/agents";
import { type IssueCommentRow, type IssueRow, issuesRepo, statusStamps } from "../store/repos/issues";
import { goalsRepo, projectsRepo } from "../store/repos/projects";
import { assertCompanyAccess } from "./access";
import { logActivity } from "./activity";
import type { CompanyService } from "./companies";

export interface IssueHooks {
  /** Called in the update's transaction after the status changed; throwing rolls the update back. */
  onStatusChange?(tx: Tx, issue: IssueRow, previousStatus: IssueStatus): Promise<void>;
}

const presentComment = (row: IssueCommentRow) => ({ ...row, authorKind: row.authorKind as IssueComment["authorKind"] });

type References = Pick<UpdateIssueBody, "assigneeAgentId" | "projectId" | "goalId" | "parentId">;

/** Referenced records must exist in the issue's company; a parent may not make the tree a loop. */
async function checkReferences(db: Executor, companyId: string, refs: References, issue?: IssueRow): Promise<void> {
  const inCompany = (row: { companyId: string } | undefined) => row?.companyId === companyId;
  if (refs.assigneeAgentId && !inCompany(await agentsRepo.get(db, refs.assigneeAgentId))) {
    throw unprocessable("assigneeAgentId: agent not found in this company");
  }
  if (refs.projectId && !inCompany(await projectsRepo.get(db, refs.projectId))) {
    throw unprocessable("projectId: project not found in this company");
  }
  if (refs.goalId && !inCompany(await goalsRepo.get(db, refs.goalId))) {
    throw unprocessable("goalId: goal not found in this company");
  }
  if (refs.parentId) {
    if (refs.parentId === issue?.id) throw unprocessable("parentId: an issue cannot be its own parent");
    if (!inCompany(await issuesRepo.get(db, refs.parentId))) throw unprocessable("parentId: issue not found in this company");
    if (issue && (await issuesRepo.isSelfOrAncestor(db, refs.parentId, issue.id))) {
      throw unprocessable(`parentId: that issue is a sub-issue of ${issue.identifier}; an issue cannot be its own ancestor`);
    }
  }
}

export function createIssueService(db: Db, companies: CompanyService, hooks: IssueHooks = {}) {
  /** The issue, or 404; agents of another company get 403. */
  async function load(actor: Actor, id: string, executor: Executor = db): Promise<IssueRow> {
    const row = await issuesRepo.get(executor, id);
    if (!row) throw notFound("Issue not found");
    assertCompanyAccess(actor, row.companyId);
    return row;
  }

  return {
    load,
    get: (actor: Actor, id: string) => load(actor, id),
    async list(actor: Actor, companyId: string, query: ListIssuesQuery) {
      await companies.load(actor, companyId);
      if (query.before) {
        const cursor = await issuesRepo.get(db, query.before);
        if (cursor?.companyId !== companyId) {
          throw badRequest("before: no issue with this id in this company; pass the id of the last issue of the previous page");
        }
      }
      return issuesRepo.list(db, companyId, {
        statuses: query.status,
        assigneeAgentId: query.assigneeAgentId,
        projectId: query.projectId,
        originKind: query.originKind,
        originId: query.originId,
        beforeId: query.before,
        limit: query.limit,
      });
    },
    async create(actor: Actor, companyId: string, body: CreateIssueBody) {
      await companies.load(actor, companyId);
      return db.transaction(async (tx) => {
        await checkReferences(tx, companyId, body);
        const row = await issuesRepo.insert(tx, {
          companyId,
          ...body,
          ...statusStamps(body.status),
          createdByAgentId: actor.kind === "agent" ? actor.agentId : null,
        });
        await logActivity(tx, actor, {
          companyId,
          action: "issue.created",
          entityType: "issue",
          entityId: row.id,
          projectId: row.projectId,
          details: { identifier: row.identifier, title: row.title },
        });
        return row;
      });
    },
    /** Locks the issue, applies the change and runs the status hook, all in one transaction. */
    async update(actor: Actor, id: string, body: UpdateIssueBody) {
      return db.transaction(async (tx) => {
        // A new parent is checked and written under the company's issue-tree lock, taken before the issue's
        // row lock: two opposite moves (A under B, B under A) then queue instead of deadlocking on each
        // other's rows. (An issue never changes company, so reading it unlocked first is safe.)
        if (body.parentId) {
          const unlocked = await issuesRepo.get(tx, id);
          if (unlocked) await issuesRepo.lockTree(tx, unlocked.companyId);
        }
        const current = await issuesRepo.getForUpdate(tx, id);
        if (!current) throw notFound("Issue not found");
        assertCompanyAccess(actor, current.companyId);
        await checkReferences(tx, current.companyId, body, current);
        const changed = body.status !== undefined && body.status !== current.status;
        const row = (await issuesRepo.update(tx, id, { ...body, ...(changed ? statusStamps(body.status!, current.status) : {}) }))!;
        if (changed) await hooks.onStatusChange?.(tx, row, current.status);
        await logActivity(tx, actor, {
          companyId: row.companyId,
          action: "issue.updated",
          entityType: "issue",
          entityId: row.id,
          projectId: row.projectId,
          details: { identifier: row.identifier, fields: Object.keys(body), ...(changed ? { status: row.status, previousStatus: current.status } : {}) },
        });
        return row;
      });
    },
    async listComments(actor: Actor, issueId: string) {
      await load(actor, issueId);
      return (await issuesRepo.listComments(db, issueId)).map(presentComment);
    },
    async addComment(actor: Actor, issueId: string, body: string) {
      const issue = await load(actor, issueId);
      const row = await db.transaction(async (tx) => {
        const comment = await issuesRepo.insertComment(tx, {
          companyId: issue.companyId,
          issueId,
          authorKind: actor.kind,
          authorAgentId: actor.kind === "agent" ? actor.agentId : null,
          body,
        });
        await logActivity(tx, actor, {
          companyId: issue.companyId,
          action: "issue.comment_added",
          entityType: "issue",
          entityId: issueId,
          projectId: issue.projectId,
          details: { identifier: issue.identifier, commentId: comment.id },
        });
        return comment;
      });
      return presentComment(row);
    },
  };
}

export type IssueService = ReturnType<typeof createIssueService>;
