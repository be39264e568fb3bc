import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOARD } from "../../src/domain/actor";
import type { IssueStatus } from "../../src/domain/enums";
import { conflict } from "../../src/domain/errors";
import { createCompanyService } from "../../src/services/companies";
import { type IssueHooks, createIssueService } from "../../src/services/issues";
import type { Tx } from "../../src/store/db";
import { type IssueRow, issuesRepo } from "../../src/store/repos/issues";
import { type TestDatabase, createTestDatabase } from "../helpers/db";

let db: TestDatabase;
let companyId: string;
/** The hook under test; each test sets what it does. */
let onStatusChange: (tx: Tx, issue: IssueRow, previous: IssueStatus) => Promise<void>;
const hooks: IssueHooks = { onStatusChange: (tx, issue, previous) => onStatusChange(tx, issue, previous) };
let issues: ReturnType<typeof createIssueService>;

beforeAll(async () => {
  db = await createTestDatabase();
  const companies = createCompanyService(db.store.db);
  issues = createIssueService(db.store.db, companies, hooks);
  companyId = (await companies.create(BOARD, { name: "Hooked" })).id;
});
afterAll(() => db.drop());

const newIssue = () => issues.create(BOARD, companyId, { title: "Work", status: "todo", priority: "medium" });

describe("the status-change hook", () => {
  it("runs inside the update's transaction, sees the new row and gets the previous status", async () => {
    const issue = await newIssue();
    const calls: { status: string; previous: string; seenInTx: string | undefined }[] = [];
    onStatusChange = async (tx, row, previous) => {
      calls.push({ status: row.status, previous, seenInTx: (await issuesRepo.get(tx, row.id))?.status });
    };
    await issues.update(BOARD, issue.id, { status: "in_progress" });
    await issues.update(BOARD, issue.id, { status: "done" });
    expect(calls).toEqual([
      { status: "in_progress", previous: "todo", seenInTx: "in_progress" },
      { status: "done", previous: "in_progress", seenInTx: "done" },
    ]);
  });

  it("is not called when the status does not change", async () => {
    const issue = await newIssue();
    let called = 0;
    onStatusChange = async () => {
      called++;
    };
    await issues.update(BOARD, issue.id, { title: "Renamed" });
    await issues.update(BOARD, issue.id, { status: "todo" });
    expect(called).toBe(0);
  });

  it("rolls back the status change and the hook's own writes when the hook throws", async () => {
    const issue = await newIssue();
    onStatusChange = async (tx, row) => {
      await issuesRepo.insertComment(tx, { companyId, issueId: row.id, authorKind: "system", body: "written by the hook" });
      throw conflict("Routine run cannot be completed");
    };
    await expect(issues.update(BOARD, issue.id, { status: "done", title: "Finished" })).rejects.toMatchObject({
      status: 409,
      message: "Routine run cannot be completed",
    });
    expect(await issuesRepo.get(db.store.db, issue.id)).toEqual(issue);
    expect(await issuesRepo.listComments(db.store.db, issue.id)).toEqual([]);
  });
});
