import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { seededApp } from "../helpers/app";
import { enqueueTestRun, routineRunOf } from "../helpers/heartbeat";
import { sample } from "../helpers/metrics";

const s = seededApp();

/** A fresh poll agent with a key, so each test starts with an empty queue. */
async function pollAgent(name: string) {
  const agent = (await s.t.request("POST", `/api/companies/${s.w.company.id}/agents`, { body: { name } })).body;
  const key = (await s.t.request("POST", `/api/agents/${agent.id}/keys`, { body: {} })).body.key as string;
  return { ...agent, key };
}
const enqueue = (agentId: string, o: { maxAttempts?: number; withRoutineRun?: boolean } = {}) =>
  enqueueTestRun(s.t.db.store.db, { companyId: s.w.company.id, agentId, ...o });
const claim = (key: string, waitSec?: number) =>
  s.t.request("POST", "/api/agents/me/heartbeat-runs/claim", { token: key, body: waitSec === undefined ? {} : { waitSec } });
const expireLeases = (agentId: string) =>
  s.t.db.store.db.execute(sql`update heartbeat_runs set lease_expires_at = now() - interval '1 second' where agent_id = ${agentId} and status = 'running'`);

describe("poll agents", () => {
  it("claims its run with the issue and routine run, completes it, and cannot complete it twice", async () => {
    const a = await pollAgent("Poller");
    const { run, issueId, routineRunId } = await enqueue(a.id, { withRoutineRun: true });

    const claimed = await claim(a.key);
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({
      heartbeatRun: { id: run.id, status: "running", attempt: 1, leaseExpiresAt: expect.any(String) },
      issue: { id: issueId, status: "todo", assigneeAgentId: a.id },
      routineRun: { id: routineRunId, status: "issue_created", linkedIssueId: issueId },
    });
    expect((await claim(a.key)).status).toBe(204);

    const done = await s.t.request("POST", `/api/heartbeat-runs/${run.id}/complete`, {
      token: a.key,
      body: { status: "succeeded", summary: "Report written" },
    });
    expect(done).toMatchObject({ status: 200, body: { status: "succeeded", summary: "Report written", finishedAt: expect.any(String) } });
    const again = await s.t.request("POST", `/api/heartbeat-runs/${run.id}/complete`, { token: a.key, body: { status: "succeeded" } });
    expect(again).toMatchObject({ status: 409, body: { error: "Heartbeat run is succeeded, not running: claim it before completing it" } });
  });

  it("answers 204 with an empty body when there is nothing to claim", async () => {
    const a = await pollAgent("Idle");
    const res = await claim(a.key, 0);
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
  });

  it("wakes a waiting long-poll claim when a run is enqueued for the agent", async () => {
    const a = await pollAgent("Long poller");
    const pending = claim(a.key, 25);
    await vi.waitFor(() => expect(s.t.services.heartbeatRuns.waitingClaims(a.id)).toBe(1));
    const { run } = await enqueue(a.id);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body.heartbeatRun).toMatchObject({ id: run.id, status: "running" });
    expect(s.t.services.heartbeatRuns.waitingClaims(a.id)).toBe(0);
  });

  it("reports failure for good: the run fails and so does its routine run", async () => {
    const a = await pollAgent("Unlucky");
    const { run, routineRunId } = await enqueue(a.id, { withRoutineRun: true });
    await claim(a.key);
    const res = await s.t.request("POST", `/api/heartbeat-runs/${run.id}/complete`, {
      token: a.key,
      body: { status: "failed", summary: "Upstream API is down" },
    });
    expect(res.body).toMatchObject({ status: "failed", attempt: 1, summary: "Upstream API is down" });
    expect(await routineRunOf(s.t.db.store.db, routineRunId!)).toMatchObject({
      status: "failed",
      failureReason: "Agent reported failure: Upstream API is down",
    });
  });

  it("retries a failed delivery for the board: a new run with fresh attempts, the routine run waits again", async () => {
    const a = await pollAgent("Second chance");
    const { run, routineRunId, issueId } = await enqueue(a.id, { withRoutineRun: true });
    const early = await s.t.request("POST", `/api/heartbeat-runs/${run.id}/retry`);
    expect(early).toMatchObject({ status: 409, body: { error: "Heartbeat run is queued: only a failed or timed out run can be retried" } });
    await claim(a.key);
    await s.t.request("POST", `/api/heartbeat-runs/${run.id}/complete`, { token: a.key, body: { status: "failed" } });

    expect((await s.t.request("POST", `/api/heartbeat-runs/${run.id}/retry`, { token: a.key })).status).toBe(403);
    const retried = await s.t.request("POST", `/api/heartbeat-runs/${run.id}/retry`);
    expect(retried).toMatchObject({
      status: 201,
      body: { status: "queued", attempt: 0, agentId: a.id, issueId, routineRunId, error: null },
    });
    expect(retried.body.id).not.toBe(run.id);
    expect(await routineRunOf(s.t.db.store.db, routineRunId!)).toMatchObject({ status: "issue_created", failureReason: null });
    const twice = await s.t.request("POST", `/api/heartbeat-runs/${run.id}/retry`);
    expect(twice).toMatchObject({ status: 409, body: { error: "This routine run already has a delivery waiting or in progress" } });

    const attempts = await s.t.request("GET", `/api/agents/${a.id}/heartbeat-runs?routineRunId=${routineRunId}`);
    expect(attempts.body.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([
      [retried.body.id, "queued"],
      [run.id, "failed"],
    ]);
    const claimed = await claim(a.key);
    expect(claimed.body.heartbeatRun).toMatchObject({ id: retried.body.id, attempt: 1 });
  });

  it("does not retry the delivery of an issue that is done", async () => {
    const a = await pollAgent("Too late");
    const { run, issueId } = await enqueue(a.id, { withRoutineRun: true });
    await claim(a.key);
    await s.t.request("POST", `/api/heartbeat-runs/${run.id}/complete`, { token: a.key, body: { status: "failed" } });
    await s.t.request("PATCH", `/api/issues/${issueId}`, { body: { status: "done" } });
    const res = await s.t.request("POST", `/api/heartbeat-runs/${run.id}/retry`);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/^Issue .* is done: reopen it before retrying its delivery$/);
  });

  it("claims a run again as the next attempt when the lease of its claim expired", async () => {
    const a = await pollAgent("Forgetful");
    const { run } = await enqueue(a.id, { maxAttempts: 2 });
    expect((await claim(a.key)).body.heartbeatRun.attempt).toBe(1);
    await expireLeases(a.id);
    const second = await claim(a.key);
    expect(second.body.heartbeatRun).toMatchObject({ id: run.id, attempt: 2, status: "running" });

    await expireLeases(a.id);
    expect((await claim(a.key)).status).toBe(204);
    const ended = await s.t.request("GET", `/api/heartbeat-runs/${run.id}`, { token: a.key });
    expect(ended.body).toMatchObject({ status: "timed_out", attempt: 2, error: "Attempt 2 of 2 reported no result before its lease expired" });
  });

  it("fails the routine run when the last attempt's lease expires", async () => {
    const a = await pollAgent("Gone");
    const { routineRunId } = await enqueue(a.id, { maxAttempts: 1, withRoutineRun: true });
    await claim(a.key);
    await expireLeases(a.id);
    await claim(a.key);
    expect((await routineRunOf(s.t.db.store.db, routineRunId!))!.failureReason).toBe(
      "Heartbeat run timed out: attempt 1 reported no result before its lease expired",
    );
  });

  it("refuses claims from the board and from agents that routined delivers to", async () => {
    expect((await s.t.request("POST", "/api/agents/me/heartbeat-runs/claim", { body: {} })).status).toBe(403);
    const hook = (
      await s.t.request("POST", `/api/companies/${s.w.company.id}/agents`, {
        body: { name: "Hooked", adapterType: "http", adapterConfig: { url: "http://192.0.2.1:9/x" } },
      })
    ).body;
    const key = (await s.t.request("POST", `/api/agents/${hook.id}/keys`, { body: {} })).body.key;
    const res = await claim(key);
    expect(res.status).toBe(409);
    expect(res.body.error).toContain("set adapterType to poll");
    expect((await claim(s.w.agent.key, 31)).status).toBe(400);
  });

  it("counts what a poll agent reports on its claimed runs as deliveries of adapter poll, in /metrics", async () => {
    const metrics = async () => (await s.t.request("GET", "/metrics")).body as string;
    const deliveries = (text: string, outcome: string) => sample(text, "routined_deliveries_total", { adapter: "poll", outcome });
    const wakeLags = (text: string) => sample(text, "routined_agent_wake_lag_seconds_count", { adapter: "poll" });
    const before = await metrics();
    const a = await pollAgent("Counted");
    for (const status of ["succeeded", "failed", "succeeded"]) {
      const { run } = await enqueue(a.id, { withRoutineRun: true });
      expect((await claim(a.key)).body.heartbeatRun.id).toBe(run.id);
      expect((await s.t.request("POST", `/api/heartbeat-runs/${run.id}/complete`, { token: a.key, body: { status } })).status).toBe(200);
    }
    const after = await metrics();
    expect(deliveries(after, "succeeded") - deliveries(before, "succeeded")).toBe(2);
    expect(deliveries(after, "failed") - deliveries(before, "failed")).toBe(1);
    // From queued to claimed, for each run that succeeded.
    expect(wakeLags(after) - wakeLags(before)).toBe(2);
  });
});

describe("agent pause", () => {
  it("keeps a paused agent's runs queued, and resuming wakes its waiting claim", async () => {
    const a = await pollAgent("Napper");
    expect((await s.t.request("POST", `/api/agents/${a.id}/pause`, { token: a.key })).body.status).toBe("paused");
    const { run } = await enqueue(a.id);
    expect((await claim(a.key)).status).toBe(204);

    const pending = claim(a.key, 25);
    await vi.waitFor(() => expect(s.t.services.heartbeatRuns.waitingClaims(a.id)).toBe(1));
    expect((await s.t.request("GET", `/api/heartbeat-runs/${run.id}`)).body.status).toBe("queued");
    expect((await s.t.request("POST", `/api/agents/${a.id}/resume`)).body.status).toBe("active");
    expect((await pending).body.heartbeatRun).toMatchObject({ id: run.id, status: "running" });
  });

  it("lets only the board or the agent itself pause an agent", async () => {
    expect((await s.t.request("POST", `/api/agents/${s.w.agent.id}/pause`, { token: s.w.peer.key })).status).toBe(403);
    expect((await s.t.request("POST", `/api/agents/${s.w.agent.id}/resume`, { token: s.w.outsider.key })).status).toBe(403);
  });
});

describe("reading heartbeat runs", () => {
  it("lists an agent's runs newest first, with cursor and status filter, without output", async () => {
    const a = await pollAgent("Busy");
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push((await enqueue(a.id)).run);
    await claim(a.key);
    const list = await s.t.request("GET", `/api/agents/${a.id}/heartbeat-runs?limit=2`, { token: a.key });
    expect(list.body.map((r: { id: string }) => r.id)).toEqual([runs[2]!.id, runs[1]!.id]);
    expect(list.body[0]).not.toHaveProperty("output");
    const page2 = await s.t.request("GET", `/api/agents/${a.id}/heartbeat-runs?before=${runs[1]!.id}`);
    expect(page2.body.map((r: { id: string }) => r.id)).toEqual([runs[0]!.id]);
    const running = await s.t.request("GET", `/api/agents/${a.id}/heartbeat-runs?status=running`);
    expect(running.body.map((r: { id: string }) => r.id)).toEqual([runs[0]!.id]);
    const later = await s.t.request("GET", `/api/agents/${a.id}/heartbeat-runs?before=2000-01-01T00:00:00Z`);
    expect(later.body).toEqual([]);
  });

  it("shows agents only their own runs; the board sees all", async () => {
    const { run } = await enqueue(s.w.agent.id);
    expect((await s.t.request("GET", `/api/heartbeat-runs/${run.id}`, { token: s.w.agent.key })).status).toBe(200);
    expect((await s.t.request("GET", `/api/heartbeat-runs/${run.id}`)).status).toBe(200);
    expect((await s.t.request("GET", `/api/heartbeat-runs/${run.id}`, { token: s.w.peer.key })).status).toBe(403);
    expect((await s.t.request("GET", `/api/heartbeat-runs/${run.id}`, { token: s.w.outsider.key })).status).toBe(403);
    expect((await s.t.request("GET", `/api/agents/${s.w.agent.id}/heartbeat-runs`, { token: s.w.peer.key })).status).toBe(403);
    const complete = await s.t.request("POST", `/api/heartbeat-runs/${run.id}/complete`, { token: s.w.peer.key, body: { status: "succeeded" } });
    expect(complete.status).toBe(403);
    expect((await s.t.request("GET", "/api/heartbeat-runs/00000000-0000-4000-8000-000000000000")).status).toBe(404);
  });
});

describe("delivery attempts", () => {
  it("lists a run's attempts, a lapsed lease and the agent's failure, to the board and the run's agent, a page at a time", async () => {
    const a = await pollAgent("Attempted");
    const { run } = await enqueue(a.id, { maxAttempts: 3 });
    await claim(a.key);
    await expireLeases(a.id);
    await claim(a.key);
    await s.t.request("POST", `/api/heartbeat-runs/${run.id}/complete`, { token: a.key, body: { status: "failed", summary: "No disk" } });

    const res = await s.t.request("GET", `/api/heartbeat-runs/${run.id}/attempts`, { token: a.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        heartbeatRunId: run.id,
        attempt: 1,
        startedAt: expect.any(String),
        finishedAt: expect.any(String),
        adapterType: "poll",
        outcome: "lease_lapsed",
        code: null,
        error: "Attempt 1 of 3 reported no result before its lease expired",
      },
      {
        heartbeatRunId: run.id,
        attempt: 2,
        startedAt: expect.any(String),
        finishedAt: expect.any(String),
        adapterType: "poll",
        outcome: "failed",
        code: null,
        error: "The agent reported failure",
      },
    ]);
    const page = await s.t.request("GET", `/api/heartbeat-runs/${run.id}/attempts?limit=1&after=1`);
    expect(page.body.map((x: { attempt: number }) => x.attempt)).toEqual([2]);
    expect((await s.t.request("GET", `/api/heartbeat-runs/${run.id}/attempts`, { token: s.w.peer.key })).status).toBe(403);
    expect((await s.t.request("GET", `/api/heartbeat-runs/${run.id}/attempts?limit=0`)).status).toBe(400);
    expect((await s.t.request("GET", "/api/heartbeat-runs/00000000-0000-4000-8000-000000000000/attempts")).status).toBe(404);
  });
});

describe("delivery secrets", () => {
  it("shows an http agent's delivery secret once, on create and on rotate, never on read", async () => {
    const created = await s.t.request("POST", `/api/companies/${s.w.company.id}/agents`, {
      body: { name: "Receiver", adapterType: "http", adapterConfig: { url: "https://agent.example/hook" } },
    });
    expect(created.body.deliverySecret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const id = created.body.id;
    const read = [await s.t.request("GET", `/api/agents/${id}`), await s.t.request("GET", `/api/companies/${s.w.company.id}/agents`)];
    for (const res of read) {
      expect(JSON.stringify(res.body)).not.toContain(created.body.deliverySecret);
      expect(JSON.stringify(res.body)).not.toMatch(/deliverySecret/);
    }
    const key = (await s.t.request("POST", `/api/agents/${id}/keys`, { body: {} })).body.key;
    const rotated = await s.t.request("POST", `/api/agents/${id}/delivery-secret/rotate`, { token: key });
    expect(rotated).toMatchObject({ status: 200, body: { agentId: id, deliverySecret: expect.stringMatching(/^whsec_/) } });
    expect(rotated.body.deliverySecret).not.toBe(created.body.deliverySecret);
    expect((await s.t.request("POST", `/api/agents/${id}/delivery-secret/rotate`, { token: s.w.agent.key })).status).toBe(403);
  });

  it("makes a secret when an agent switches to http, and has none for poll agents", async () => {
    const a = await pollAgent("Convert");
    expect(a).not.toHaveProperty("deliverySecret");
    expect((await s.t.request("POST", `/api/agents/${a.id}/delivery-secret/rotate`)).status).toBe(409);
    const switched = await s.t.request("PATCH", `/api/agents/${a.id}`, {
      body: { adapterType: "http", adapterConfig: { url: "https://agent.example/hook" } },
    });
    expect(switched.body).toMatchObject({ adapterType: "http", deliverySecret: expect.stringMatching(/^whsec_/) });
    const renamed = await s.t.request("PATCH", `/api/agents/${a.id}`, { body: { name: "Converted" } });
    expect(renamed.body).not.toHaveProperty("deliverySecret");
  });
});
