/** Projects and goals: what routines belong to and link their runs to. Any actor of the company may manage them. */
import type { Actor } from "../domain/actor";
import { notFound, unprocessable } from "../domain/errors";
import type { CreateGoalBody, CreateProjectBody, UpdateGoalBody, UpdateProjectBody } from "../domain/schemas/projects";
import type { Db, Executor } from "../store/db";
import { type GoalRow, type ProjectRow, goalsRepo, projectsRepo } from "../store/repos/projects";
import { assertCompanyAccess } from "./access";
import type { CompanyService } from "./companies";

export function createProjectService(db: Db, companies: CompanyService) {
  async function load(actor: Actor, id: string): Promise<ProjectRow> {
    const row = await projectsRepo.get(db, id);
    if (!row) throw notFound("Project not found");
    assertCompanyAccess(actor, row.companyId);
    return row;
  }
  return {
    load,
    async create(actor: Actor, companyId: string, body: CreateProjectBody) {
      await companies.load(actor, companyId);
      return projectsRepo.insert(db, { companyId, ...body });
    },
    async list(actor: Actor, companyId: string) {
      await companies.load(actor, companyId);
      return projectsRepo.listByCompany(db, companyId);
    },
    get: load,
    async update(actor: Actor, id: string, body: UpdateProjectBody) {
      await load(actor, id);
      return (await projectsRepo.update(db, id, body))!;
    },
  };
}

export function createGoalService(db: Db, companies: CompanyService) {
  async function load(actor: Actor, id: string): Promise<GoalRow> {
    const row = await goalsRepo.get(db, id);
    if (!row) throw notFound("Goal not found");
    assertCompanyAccess(actor, row.companyId);
    return row;
  }
  /** The parent must be a goal of the same company, and not the goal itself or one of its sub-goals. */
  async function checkParent(tx: Executor, companyId: string, parentId: string | null | undefined, goal?: GoalRow) {
    if (!parentId) return;
    const parent = await goalsRepo.get(tx, parentId);
    if (!parent || parent.companyId !== companyId) throw unprocessable("parentId: goal not found in this company");
    if (!goal) return;
    if (parentId === goal.id) throw unprocessable("parentId: a goal cannot be its own parent");
    if (await goalsRepo.isSelfOrAncestor(tx, parentId, goal.id)) {
      throw unprocessable(`parentId: a goal cannot be its own ancestor: ${parent.title} is under ${goal.title}`);
    }
  }
  return {
    load,
    async create(actor: Actor, companyId: string, body: CreateGoalBody) {
      await companies.load(actor, companyId);
      await checkParent(db, companyId, body.parentId);
      return goalsRepo.insert(db, { companyId, ...body });
    },
    async list(actor: Actor, companyId: string) {
      await companies.load(actor, companyId);
      return goalsRepo.listByCompany(db, companyId);
    },
    get: load,
    /** A new parent is checked and written under the company's goal-tree lock, so concurrent moves cannot make a loop. */
    async update(actor: Actor, id: string, body: UpdateGoalBody) {
      const goal = await load(actor, id);
      if (!body.parentId) return (await goalsRepo.update(db, id, body))!;
      return db.transaction(async (tx) => {
        await goalsRepo.lockTree(tx, goal.companyId);
        await checkParent(tx, goal.companyId, body.parentId, goal);
        return (await goalsRepo.update(tx, id, body))!;
      });
    },
  };
}
