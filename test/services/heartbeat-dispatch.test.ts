import { describe, expect, it } from "vitest";
import { BOARD } from "../../src/domain/actor";
import { heartbeatAttemptsRepo } from "../../src/store/repos/heartbeat-runs-attempts";
import { LOCAL_AGENTS_ENV, seededApp } from "../helpers/app";
import { enqueueTestRun } from "../helpers/heartbeat";

const s = seededApp({ env: LOCAL_AGENTS_ENV });
const claimOpts = { workerId: "W", limit: 10, leaseSec: 60, timeoutSec: 30, marginSec: 5 };

async function httpAgent(name: string) {
  const res = await s.t.request("POST", `/api/companies/${s.w.company.id}/agents`, {
    body: { name, adapterType: "http", adapterConfig: { url: "http://127.0.0.1:9/hook" } },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

describe("delivery attempts", () => {
  it("keeps every attempt of a failed delivery and of its retry, written with the dispatcher's results", async () => {
    const dispatch = s.t.services.heartbeatDispatch;
    const agent = await httpAgent("Flaky");
    const { run } = await enqueueTestRun(s.t.db.store.db, { companyId: s.w.company.id, agentId: agent.id, maxAttempts: 2, withRoutineRun: true });

    const [first] = await dispatch.claim(claimOpts);
    expect(first!.run.id).toBe(run.id);
    await dispatch.record(first!.run, { ok: false, timedOut: false, error: "The agent answered HTTP 502", code: 502 }, 0);
    const [second] = await dispatch.claim(claimOpts);
    const failed = await dispatch.record(second!.run, { ok: false, timedOut: true, error: "The agent did not answer within 30 s" }, 0);
    expect(failed).toMatchObject({ status: "timed_out", attempt: 2 });

    const retried = await s.t.services.heartbeatRuns.retry(BOARD, run.id);
    const [third] = await dispatch.claim(claimOpts);
    expect(third!.run.id).toBe(retried.id);
    await dispatch.record(third!.run, { ok: true, output: "HTTP 200\nok", code: 200 }, 0);

    expect(await heartbeatAttemptsRepo.list(s.t.db.store.db, run.id, { limit: 50 })).toEqual([
      {
        heartbeatRunId: run.id,
        attempt: 1,
        startedAt: expect.any(Date),
        finishedAt: expect.any(Date),
        adapterType: "http",
        outcome: "failed",
        code: 502,
        error: "The agent answered HTTP 502",
      },
      {
        heartbeatRunId: run.id,
        attempt: 2,
        startedAt: expect.any(Date),
        finishedAt: expect.any(Date),
        adapterType: "http",
        outcome: "timed_out",
        code: null,
        error: "The agent did not answer within 30 s",
      },
    ]);
    expect(await heartbeatAttemptsRepo.list(s.t.db.store.db, retried.id, { limit: 50 })).toMatchObject([
      { heartbeatRunId: retried.id, attempt: 1, adapterType: "http", outcome: "succeeded", code: 200, error: null },
    ]);
  });

  it("does not record a stale worker's result, and cuts a long error", async () => {
    const dispatch = s.t.services.heartbeatDispatch;
    const agent = await httpAgent("Chatty");
    const { run } = await enqueueTestRun(s.t.db.store.db, { companyId: s.w.company.id, agentId: agent.id, maxAttempts: 1 });
    const [claimed] = await dispatch.claim(claimOpts);
    expect(await dispatch.record({ ...claimed!.run, claimedBy: "someone else" }, { ok: true }, 0)).toBeUndefined();
    await dispatch.record(claimed!.run, { ok: false, timedOut: false, error: "x".repeat(5000) }, 0);
    const [attempt, ...more] = await heartbeatAttemptsRepo.list(s.t.db.store.db, run.id, { limit: 50 });
    expect(more).toEqual([]);
    expect(attempt).toMatchObject({ outcome: "failed", error: "x".repeat(1000) });
  });
});
