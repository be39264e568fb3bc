/**
 * Fires that go together (here webhook deliveries): when their shared transaction fails as a whole (the write
 * is made to fail once), each is fired alone and gets its own answer, so one bad moment or one bad fire cannot
 * fail the others.
 */
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/errors";
import { createFiring } from "../../src/firing/batch";
import type { FireRequest } from "../../src/firing/plan";
import { refusalError } from "../../src/firing/refusals";
import { writePlan } from "../../src/firing/write";
import { createGroupCommit } from "../../src/services/group-commit";
import { deliveryRequest } from "../../src/services/webhook-fire";
import { triggersRepo } from "../../src/store/repos/triggers";
import { seededApp } from "../helpers/app";
import { addRoutine } from "../helpers/world";

const s = seededApp();

async function webhookTrigger() {
  const { trigger } = await addRoutine(s, { routine: { title: "deliveries", concurrencyPolicy: "always_enqueue" }, trigger: { kind: "webhook", signingMode: "hmac_sha256" } });
  const stored = (await triggersRepo.get(s.t.db.store.db, trigger!.id))!;
  if (stored.kind !== "webhook") throw new Error(`expected a webhook trigger, got ${stored.kind}`);
  return stored;
}

describe("webhook deliveries", () => {
  it("a batch whose transaction fails is fired delivery by delivery, each with its own answer", async () => {
    const trigger = await webhookTrigger();
    let flushes = 0;
    const firing = createFiring(s.t.config, async (...args) => {
      if (flushes++ === 0) throw new Error("serialization failure (injected)");
      return writePlan(...args);
    });
    const group = createGroupCommit({ db: s.t.db.store.db, firing });
    // As a caller sees it: its run, or its refusal as the error it answers with.
    const commit = {
      fire: async (fire: FireRequest) => {
        const answer = await group.fire(fire);
        if ("refused" in answer) throw refusalError(answer.refused, fire.source);
        return answer.run;
      },
    };
    const delivery = (n: number, fingerprint: string) => deliveryRequest(trigger, { n }, null, [fingerprint]);
    const answers = await Promise.allSettled([
      commit.fire(delivery(1, "sig:a")),
      commit.fire(delivery(2, "sig:b")),
      commit.fire(delivery(3, "sig:a")), // the same signature as the first: a replay
    ]);
    expect(flushes).toBe(4); // the batch's write failed; then each delivery was planned and written alone
    expect(answers.map((a) => a.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    const refused = (answers[2] as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 409, message: "Duplicate delivery" });
    const runs = answers.flatMap((a) => (a.status === "fulfilled" ? [a.value] : []));
    expect(runs.map((r) => r.triggerPayload)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(runs.every((r) => r.status === "issue_created")).toBe(true);
  });
});
