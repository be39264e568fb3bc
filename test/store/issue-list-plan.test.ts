/**
 * The issue list reads one company's newest issues a page at a time. With enough issues for the
 * planner to care, it walks `issues_company_created_idx` in order and stops after a page, instead
 * of reading and sorting all of the company's issues.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BOARD } from "../../src/domain/actor";
import { createCompanyService } from "../../src/services/companies";
import { queryRows } from "../../src/store/db";
import { type IssueListFilter, issuesRepo } from "../../src/store/repos/issues";
import { type TestDatabase, createTestDatabase } from "../helpers/db";

const PER_COMPANY = 5_000;
let db: TestDatabase;
let companyId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const companies = createCompanyService(db.store.db);
  const ids: string[] = [];
  for (const name of ["Acme", "Globex"]) ids.push((await companies.create(BOARD, { name })).id);
  companyId = ids[0]!;
  for (const id of ids) {
    await db.store.db.execute(sql`
      insert into issues (company_id, issue_number, identifier, title, status, created_at)
      select ${id}, n, 'X-' || n, 'Issue ' || n, (array['backlog','todo','in_progress','done'])[1 + n % 4],
             now() - n * interval '1 minute'
      from generate_series(1, ${PER_COMPANY}) n`);
  }
  await db.store.db.execute(sql`analyze issues`);
});
afterAll(() => db.drop());

/** The plan of the list query, as the nodes' types and index names, outermost first. */
async function planOf(f: IssueListFilter): Promise<string[]> {
  const [row] = await queryRows<{ "QUERY PLAN": unknown }>(
    db.store.db,
    sql`explain (format json) ${issuesRepo.listQuery(db.store.db, companyId, f)}`,
  );
  const raw = row!["QUERY PLAN"];
  const plan = (typeof raw === "string" ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
  const nodes: string[] = [];
  const walk = (n: PlanNode) => {
    nodes.push(n["Index Name"] ? `${n["Node Type"]} using ${n["Index Name"]}` : n["Node Type"]);
    n.Plans?.forEach(walk);
  };
  walk(plan[0].Plan);
  return nodes;
}
interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

it("reads the first page of a company's issues in index order, without sorting them", async () => {
  const plan = await planOf({ limit: 50 });
  expect(plan).toContain("Index Scan using issues_company_created_idx");
  expect(plan).not.toContain("Sort");
});

it("starts a later page at the cursor in the index, without sorting", async () => {
  const [cursor] = await issuesRepo.list(db.store.db, companyId, { limit: 1 });
  const plan = await planOf({ limit: 50, beforeId: cursor!.id });
  expect(plan).toContain("Index Scan using issues_company_created_idx");
  expect(plan).not.toContain("Sort");
});
