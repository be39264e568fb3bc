/**
 * A trigger row has what its kind needs (migration 0006): the store reads a row as its kind
 * (`narrowTrigger`), so a schedule without a cron expression or a webhook without its public id or secret
 * cannot be written, whatever writes it.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/store/db";
import { companiesRepo } from "../../src/store/repos/companies";
import { routinesRepo } from "../../src/store/repos/routines";
import { type TestDatabase, createTestDatabase } from "../helpers/db";

let t: TestDatabase;
let companyId: string;
let routineId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  companyId = (await companiesRepo.insert(t.store.db, { name: "Acme", issuePrefix: "ACME" })).id;
  routineId = (await routinesRepo.insert(t.store.db, { companyId, title: "Briefing" })).id;
});
afterAll(() => t.drop());

const insert = (columns: { kind: string; cron?: string | null; publicId?: string | null; secret?: string | null }) =>
  t.store.db.execute(sql`insert into routine_triggers (company_id, routine_id, kind, cron_expression, public_id, secret_ciphertext)
    values (${companyId}, ${routineId}, ${columns.kind}, ${columns.cron ?? null}, ${columns.publicId ?? null}, ${columns.secret ?? null})`);

/** The constraint a refused write names (drivers wrap the database error differently). */
async function refusedBy(write: Promise<unknown>): Promise<string> {
  const err = await write.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, "the write was accepted").not.toBeNull();
  const text = `${String(err)} ${String((err as { cause?: unknown }).cause ?? "")} ${JSON.stringify(err)}`;
  return text.match(/routine_triggers_\w+_ck/)?.[0] ?? text;
}

describe("trigger rows", () => {
  it("refuses a schedule trigger without a cron expression", async () => {
    expect(await refusedBy(insert({ kind: "schedule" }))).toBe("routine_triggers_schedule_ck");
  });

  it("refuses a webhook trigger without its public id or its secret", async () => {
    expect(await refusedBy(insert({ kind: "webhook", secret: "sealed" }))).toBe("routine_triggers_webhook_ck");
    expect(await refusedBy(insert({ kind: "webhook", publicId: "pub_1" }))).toBe("routine_triggers_webhook_ck");
  });

  it("accepts each kind with what it needs", async () => {
    await insert({ kind: "schedule", cron: "0 9 * * *" });
    await insert({ kind: "webhook", publicId: "pub_2", secret: "sealed" });
    await insert({ kind: "api" });
    const [row] = await queryRows<{ n: number }>(t.store.db, sql`select count(*)::int as n from routine_triggers where routine_id = ${routineId}`);
    expect(row!.n).toBe(3);
  });
});
