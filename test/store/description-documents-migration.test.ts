/**
 * Migration 0007 gives every routine that existed before it a description document at revision 1 (what annotation
 * threads anchor to), holding its description (an empty body when it has none).
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMigrations } from "../../src/store/migrate";
import { queryRows } from "../../src/store/db";
import { companiesRepo } from "../../src/store/repos/companies";
import { routinesRepo } from "../../src/store/repos/routines";
import { type TestDatabase, createTestDatabase } from "../helpers/db";

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

/** The statements of 0007 that fill in the documents (after its tables exist). */
const backfill = () => {
  const migration = listMigrations().find((m) => m.tag.startsWith("0007_"))!;
  return migration.statements.filter((s) => /^(--[^\n]*\n)*\s*(INSERT|UPDATE)/i.test(s));
};

describe("migration 0007", () => {
  it("gives each existing routine its description document, at revision 1", async () => {
    const companyId = (await companiesRepo.insert(t.store.db, { name: "Legacy", issuePrefix: "LEG" })).id;
    // rows written straight to the table, as they were before 0007 (no document)
    const described = await routinesRepo.insert(t.store.db, { companyId, title: "Old", description: "Check the **backups**." });
    const bare = await routinesRepo.insert(t.store.db, { companyId, title: "Bare" });
    expect(backfill()).toHaveLength(3);
    for (const statement of backfill()) await t.store.db.execute(sql.raw(statement));

    const docs = await queryRows<{ routine_id: string; body: string; latest_revision_number: number; revision_body: string; revision_number: number }>(
      t.store.db,
      sql`select d.routine_id, d.body, d.latest_revision_number, r.body as revision_body, r.revision_number
          from routine_documents d join routine_document_revisions r on r.id = d.latest_revision_id
          where d.company_id = ${companyId}`,
    );
    const byRoutine = new Map(docs.map((d) => [d.routine_id, d]));
    expect(byRoutine.get(described.id)).toEqual({
      routine_id: described.id,
      body: "Check the **backups**.",
      latest_revision_number: 1,
      revision_body: "Check the **backups**.",
      revision_number: 1,
    });
    expect(byRoutine.get(bare.id)).toMatchObject({ body: "", revision_number: 1 });
  });
});
