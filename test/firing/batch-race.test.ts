/**
 * Many fires of one routine at once: half are manual runs (which the group commit decides in batches), half
 * fire each in a transaction of its own, on the pool's other connections. The routine row lock and the unique
 * indexes make the outcome exact, whatever the interleaving.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { BOARD } from "../../src/domain/actor";
import type { FireRequest } from "../../src/firing/plan";
import { refusalError } from "../../src/firing/refusals";
import { fireTogether } from "../../src/services/group-commit";
import { type Executor, queryRows } from "../../src/store/db";
import type { RunRow } from "../../src/store/repos/runs";
import { seededApp } from "../helpers/app";
import { addRoutine } from "../helpers/world";

const N = 200;
const s = seededApp();

const routineWith = async (concurrencyPolicy: string) => (await addRoutine(s, { routine: { title: `race ${concurrencyPolicy}`, concurrencyPolicy } })).routineId;

/** One fire in a transaction of its own: a batch of one. */
async function fireAlone(tx: Executor, request: FireRequest): Promise<RunRow> {
  const [answer] = await fireTogether(s.t.services.firing, tx, [request]);
  if ("refused" in answer!) throw refusalError(answer.refused, request.source);
  return answer!.run;
}

const fireAll = (routineId: string, body: (i: number) => { payload?: Record<string, unknown>; idempotencyKey?: string } = () => ({})) =>
  Promise.all(
    Array.from({ length: N }, (_, i) =>
      i % 2 === 0
        ? s.t.services.runs.run(BOARD, routineId, { source: "manual", ...body(i) })
        : s.t.db.store.db.transaction((tx) => fireAlone(tx, { routineId, source: "manual", ...body(i) })),
    ),
  );

const count = async (query: ReturnType<typeof sql>) => Number((await queryRows<{ n: string }>(s.t.db.store.db, query))[0]!.n);

// 200 fires each: generous timeouts for a busy 2-core machine (PGlite serialises everything).
describe(`${N} concurrent manual runs of one routine`, { timeout: 180_000 }, () => {
  it("coalesce_if_active: exactly one issue, the rest coalesced with one comment each", async () => {
    const id = await routineWith("coalesce_if_active");
    const results = await fireAll(id, (i) => ({ payload: { i } }));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === "issue_created")).toHaveLength(1);
    expect(statuses.filter((s) => s === "coalesced")).toHaveLength(N - 1);
    const issueId = results.find((r) => r.status === "issue_created")!.linkedIssueId!;
    expect(await count(sql`select count(*) as n from issues where origin_id = ${id}`)).toBe(1);
    expect(await count(sql`select count(*) as n from issue_comments where issue_id = ${issueId}`)).toBe(N - 1);
    expect(await count(sql`select count(*) as n from heartbeat_runs where issue_id = ${issueId}`)).toBe(1);
  });

  it("skip_if_active: exactly one issue, the rest skipped", async () => {
    const id = await routineWith("skip_if_active");
    const statuses = (await fireAll(id)).map((r) => r.status);
    expect(statuses.filter((s) => s === "issue_created")).toHaveLength(1);
    expect(statuses.filter((s) => s === "skipped")).toHaveLength(N - 1);
    expect(await count(sql`select count(*) as n from issues where origin_id = ${id}`)).toBe(1);
  });

  it("always_enqueue: one issue per fire, with distinct issue numbers", async () => {
    const id = await routineWith("always_enqueue");
    const results = await fireAll(id);
    expect(results.every((r) => r.status === "issue_created")).toBe(true);
    expect(await count(sql`select count(distinct identifier) as n from issues where origin_id = ${id}`)).toBe(N);
  });

  it("one idempotency key: one run, whoever wins", async () => {
    const id = await routineWith("always_enqueue");
    const results = await fireAll(id, () => ({ idempotencyKey: "same-key" }));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await count(sql`select count(*) as n from routine_runs where routine_id = ${id}`)).toBe(1);
    expect(await count(sql`select count(*) as n from issues where origin_id = ${id}`)).toBe(1);
  });
});
