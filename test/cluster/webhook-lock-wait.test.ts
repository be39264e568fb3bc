/**
 * A batch of webhook deliveries locks its routines and reads what it needs in one statement, whose view of
 * the database is taken before any wait for a lock. Shown on PostgreSQL with a second connection: when a fire
 * of another process holds the routine and commits while the delivery waits, the delivery decides on what
 * that fire wrote (the execution issue it opened), as it would had it arrived after the commit.
 */
import { afterAll, describe, expect, it } from "vitest";
import { fireTogether } from "../../src/services/group-commit";
import type { Store } from "../../src/store/db";
import type { RunRow } from "../../src/store/repos/runs";
import { seededApp } from "../helpers/app";
import { paperclip } from "../helpers/webhooks";
import { addRoutine } from "../helpers/world";

const s = seededApp();
const others: Store[] = [];
afterAll(() => Promise.all(others.map((o) => o.close())));

/** What a promise has become after `ms`: its value, or "pending". */
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<"pending">((resolve) => setTimeout(() => resolve("pending"), ms))]);

async function hook(concurrencyPolicy: string) {
  const { routineId, trigger } = await addRoutine(s, { routine: { title: `lock wait ${concurrencyPolicy}`, concurrencyPolicy }, trigger: { kind: "webhook", signingMode: "hmac_sha256" } });
  return { routineId, path: trigger!.path, secret: trigger!.secret };
}

/**
 * Another process fires the routine (an api fire) and stays in its transaction until `deliver` has been waiting for the routine's lock for a while; then it commits.
 */
async function whileAnotherFireHoldsTheRoutine(
  routineId: string,
  deliver: () => Promise<{ status: number; body: any }>,
) {
  const other = await s.t.db.openAnother();
  others.push(other);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let fired!: (runId: string) => void;
  const holding = new Promise<string>((resolve) => (fired = resolve));
  const concurrentFire = other.db.transaction(async (tx) => {
    const [answer] = await fireTogether(s.t.services.firing, tx, [{ routineId, source: "api" }]);
    fired((answer as { run: RunRow }).run.id);
    await released;
  });
  const otherRunId = await holding;
  const delivery = deliver();
  expect(await within(delivery, 500)).toBe("pending");
  release();
  await concurrentFire;
  return { otherRunId, answer: await delivery };
}

describe("a webhook delivery that waits for its routine's lock", () => {
  it.each([
    { policy: "coalesce_if_active", outcome: "coalesced" },
    { policy: "skip_if_active", outcome: "skipped" },
  ])("$policy: sees the execution issue that the fire it waited for created ($outcome)", async ({ policy, outcome }) => {
    const h = await hook(policy);
    const body = '{"event":"after the other fire"}';
    const send = () =>
      s.t.app
        .inject({ method: "POST", url: h.path, headers: { "content-type": "application/json", ...paperclip(h.secret, body, Math.floor(Date.now() / 1000)) }, payload: body })
        .then((res) => ({ status: res.statusCode, body: res.json() }));
    const { otherRunId, answer } = await whileAnotherFireHoldsTheRoutine(h.routineId, send);
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: outcome, coalescedIntoRunId: otherRunId });
    const runs = (await s.t.request("GET", `/api/routines/${h.routineId}/runs`)).body as { status: string }[];
    expect(runs.map((r) => r.status).sort()).toEqual(["issue_created", outcome].sort());
  });
});
