/** The replay store: each fingerprint is accepted once until it expires; a deleted trigger is told apart. */
import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { webhookReplaysRepo } from "../../src/store/repos/webhook-replays";
import { type TestApp, createTestApp, seedWorld } from "../helpers/app";

let t: TestApp;
let triggerId: string;
beforeAll(async () => {
  t = await createTestApp();
  const w = await seedWorld(t);
  const routine = await t.request("POST", `/api/companies/${w.company.id}/routines`, {
    body: { title: "Replays", assigneeAgentId: w.agent.id, projectId: w.project.id },
  });
  triggerId = (await t.request("POST", `/api/routines/${routine.body.id}/triggers`, { body: { kind: "webhook" } })).body.trigger.id;
});
afterAll(() => t.close());

const claim = (fingerprints: string[], id = triggerId) => webhookReplaysRepo.claim(t.db.store.db, id, fingerprints, 600);

it("claims new fingerprints once; any known one makes the whole delivery a duplicate", async () => {
  expect(await claim(["sig:a", "id:a"])).toBe("claimed");
  expect(await claim(["sig:a"])).toBe("duplicate");
  expect(await claim(["sig:b", "id:a"])).toBe("duplicate");
  expect(await claim(["sig:c"])).toBe("claimed");
});

it("treats an expired fingerprint as new and renews it", async () => {
  expect(await claim(["sig:old"])).toBe("claimed");
  await t.db.store.db.execute(sql`update webhook_replays set expires_at = now() - interval '1 second' where fingerprint = 'sig:old'`);
  expect(await claim(["sig:old"])).toBe("claimed");
  expect(await claim(["sig:old"])).toBe("duplicate");
});

it("says the trigger is gone when it was deleted, instead of failing on the foreign key", async () => {
  expect(await claim(["sig:d"], crypto.randomUUID())).toBe("gone");
});
