import type { Actor } from "../domain/actor";
import { notFound } from "../domain/errors";
import { type CreateCompanyBody, type UpdateCompanyBody, derivePrefix } from "../domain/schemas/companies";
import type { Db } from "../store/db";
import { type CompanyRow, companiesRepo } from "../store/repos/companies";
import { assertBoard, assertCompanyAccess } from "./access";

export const presentCompany = ({ issueCounter: _counter, ...rest }: CompanyRow) => rest;

export function createCompanyService(db: Db) {
  /** The company, or 404; agents of another company get 403. */
  async function load(actor: Actor, id: string): Promise<CompanyRow> {
    const row = await companiesRepo.get(db, id);
    if (!row) throw notFound("Company not found");
    assertCompanyAccess(actor, row.id);
    return row;
  }
  return {
    load,
    async create(actor: Actor, body: CreateCompanyBody) {
      assertBoard(actor, "create companies");
      const row = await companiesRepo.insert(db, {
        name: body.name,
        description: body.description ?? null,
        issuePrefix: body.issuePrefix ?? derivePrefix(body.name),
      });
      return presentCompany(row);
    },
    async list(actor: Actor) {
      const rows = await companiesRepo.list(db, actor.kind === "agent" ? [actor.companyId] : undefined);
      return rows.map(presentCompany);
    },
    async get(actor: Actor, id: string) {
      return presentCompany(await load(actor, id));
    },
    async update(actor: Actor, id: string, body: UpdateCompanyBody) {
      await load(actor, id);
      assertBoard(actor, "update companies");
      return presentCompany((await companiesRepo.update(db, id, body))!);
    },
  };
}

export type CompanyService = ReturnType<typeof createCompanyService>;
