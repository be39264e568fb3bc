import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issuesRepo } from "../../src/store/repos/issues";
import { BOARD_TOKEN, type TestApp, createTestApp, seededApp } from "../helpers/app";
import { dbState } from "../helpers/db-state";

const UNKNOWN = "00000000-0000-4000-8000-000000000000";

const s = seededApp();

async function createIssue(companyId: string, body: Record<string, unknown>, token?: string) {
  const res = await s.t.request("POST", `/api/companies/${companyId}/issues`, { body, token });
  if (res.status !== 201) throw new Error(`create issue failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
async function newCompany(name: string) {
  return (await s.t.request("POST", "/api/companies", { body: { name } })).body;
}
const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
/** Expects the request to be refused with `status` and a `{ error }` body, and nothing written. */
async function expectRefused(status: number, send: () => Promise<{ status: number; body: any }>) {
  const before = await dbState(s.t.db.store.db);
  const res = await send();
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toEqual({ error: expect.any(String), ...(res.body?.details ? { details: res.body.details } : {}) });
  expect(await dbState(s.t.db.store.db)).toEqual(before);
  return res.body as { error: string };
}

describe("creating issues", () => {
  it("numbers issues per company: AR-1, AR-2, and another company starts again at 1", async () => {
    const ar = await newCompany("Acme Robotics");
    const gx = await newCompany("Globex Exports");
    expect((await createIssue(ar.id, { title: "First" })).identifier).toBe("AR-1");
    expect((await createIssue(ar.id, { title: "Second" })).identifier).toBe("AR-2");
    expect(await createIssue(gx.id, { title: "Elsewhere" })).toMatchObject({ identifier: "GE-1", issueNumber: 1 });
  });

  it("defaults to backlog and medium priority and records which agent created it", async () => {
    const byAgent = await createIssue(s.w.company.id, { title: "  Trim me  " }, s.w.agent.key);
    expect(byAgent).toMatchObject({
      title: "Trim me",
      status: "backlog",
      priority: "medium",
      originKind: "manual",
      createdByAgentId: s.w.agent.id,
      startedAt: null,
      completedAt: null,
      cancelledAt: null,
    });
    expect((await createIssue(s.w.company.id, { title: "By the board" })).createdByAgentId).toBeNull();
  });

  it("links an assignee, project, goal and parent of the same company", async () => {
    const goal = (await s.t.request("POST", `/api/companies/${s.w.company.id}/goals`, { body: { title: "Grow" } })).body;
    const parent = await createIssue(s.w.company.id, { title: "Epic" });
    const child = await createIssue(s.w.company.id, {
      title: "Child",
      status: "todo",
      priority: "high",
      assigneeAgentId: s.w.peer.id,
      projectId: s.w.project.id,
      goalId: goal.id,
      parentId: parent.id,
    });
    expect(child).toMatchObject({ assigneeAgentId: s.w.peer.id, projectId: s.w.project.id, goalId: goal.id, parentId: parent.id });
    expect((await s.t.request("GET", `/api/issues/${child.id}`)).body).toEqual(child);
  });

  it("refuses references to records of another company with 422 naming the field, and writes nothing", async () => {
    const otherGoal = (await s.t.request("POST", `/api/companies/${s.w.otherCompany.id}/goals`, { body: { title: "Theirs" } })).body;
    const otherIssue = await createIssue(s.w.otherCompany.id, { title: "Theirs" });
    const cases: [string, string][] = [
      ["assigneeAgentId", s.w.outsider.id],
      ["assigneeAgentId", UNKNOWN],
      ["projectId", s.w.otherProject.id],
      ["goalId", otherGoal.id],
      ["parentId", otherIssue.id],
      ["parentId", UNKNOWN],
    ];
    for (const [field, value] of cases) {
      const body = await expectRefused(422, () =>
        s.t.request("POST", `/api/companies/${s.w.company.id}/issues`, { body: { title: "X", [field]: value } }),
      );
      expect(body.error).toMatch(new RegExp(`^${field}: .* not found in this company$`));
    }
  });

  it("sets startedAt, completedAt or cancelledAt when created in that status", async () => {
    expect((await createIssue(s.w.company.id, { title: "a", status: "in_progress" })).startedAt).not.toBeNull();
    expect((await createIssue(s.w.company.id, { title: "b", status: "done" })).completedAt).not.toBeNull();
    expect((await createIssue(s.w.company.id, { title: "c", status: "cancelled" })).cancelledAt).not.toBeNull();
  });

  it("rejects invalid bodies with 400 and writes nothing", async () => {
    const url = `/api/companies/${s.w.company.id}/issues`;
    for (const body of [
      {},
      { title: "   " },
      { title: "x".repeat(501) },
      { title: "x", status: "open" },
      { title: "x", priority: "urgent" },
      { title: "x", assigneeAgentId: "nope" },
      { title: "x", identifier: "ACM-99" },
      { title: "x", originKind: "routine_execution" },
    ]) {
      await expectRefused(400, () => s.t.request("POST", url, { body }));
    }
  });
});

describe("updating issues", () => {
  it("stamps startedAt once, and completedAt / cancelledAt while the issue is done / cancelled", async () => {
    const issue = await createIssue(s.w.company.id, { title: "Lifecycle", status: "todo" });
    const patch = async (body: object) => (await s.t.request("PATCH", `/api/issues/${issue.id}`, { body, token: s.w.agent.key })).body;

    const started = await patch({ status: "in_progress" });
    expect(started.startedAt).not.toBeNull();
    expect((await patch({ status: "in_review" })).startedAt).toBe(started.startedAt);
    expect((await patch({ status: "in_progress" })).startedAt).toBe(started.startedAt);

    const done = await patch({ status: "done" });
    expect(done).toMatchObject({ status: "done", startedAt: started.startedAt, cancelledAt: null });
    expect(Date.parse(done.completedAt)).toBeGreaterThanOrEqual(Date.parse(started.startedAt));
    expect(await patch({ status: "todo" })).toMatchObject({ completedAt: null, startedAt: started.startedAt });

    const cancelled = await patch({ status: "cancelled" });
    expect(cancelled.cancelledAt).not.toBeNull();
    expect(cancelled.completedAt).toBeNull();
    expect((await patch({ title: "Renamed" })).cancelledAt).toBe(cancelled.cancelledAt);
    expect((await patch({ status: "backlog" })).cancelledAt).toBeNull();
  });

  it("changes fields, clears the assignee with null and moves updatedAt", async () => {
    const issue = await createIssue(s.w.company.id, { title: "Old", assigneeAgentId: s.w.agent.id });
    const res = await s.t.request("PATCH", `/api/issues/${issue.id}`, {
      body: { title: "New", description: "Details", priority: "low", assigneeAgentId: null },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ title: "New", description: "Details", priority: "low", assigneeAgentId: null });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(issue.updatedAt));
  });

  it("refuses to make an issue its own parent or ancestor", async () => {
    const top = await createIssue(s.w.company.id, { title: "Top" });
    const mid = await createIssue(s.w.company.id, { title: "Mid", parentId: top.id });
    const leaf = await createIssue(s.w.company.id, { title: "Leaf", parentId: mid.id });
    const self = await expectRefused(422, () => s.t.request("PATCH", `/api/issues/${top.id}`, { body: { parentId: top.id } }));
    expect(self.error).toContain("parentId");
    const loop = await expectRefused(422, () => s.t.request("PATCH", `/api/issues/${top.id}`, { body: { parentId: leaf.id } }));
    expect(loop.error).toContain(top.identifier);
  });

  it("refuses cross-company references on update with 422 and leaves the issue unchanged", async () => {
    const issue = await createIssue(s.w.company.id, { title: "Mine" });
    for (const body of [{ assigneeAgentId: s.w.outsider.id }, { projectId: s.w.otherProject.id }, { status: "done", goalId: UNKNOWN }]) {
      await expectRefused(422, () => s.t.request("PATCH", `/api/issues/${issue.id}`, { body }));
    }
  });

  it("rejects an empty patch, unknown fields and read-only fields with 400", async () => {
    const issue = await createIssue(s.w.company.id, { title: "Strict" });
    for (const body of [{}, { bogus: 1 }, { identifier: "ACM-1" }, { companyId: s.w.otherCompany.id }, { status: "closed" }, { title: "" }]) {
      await expectRefused(400, () => s.t.request("PATCH", `/api/issues/${issue.id}`, { body }));
    }
  });
});

describe("listing issues", () => {
  let company: { id: string };
  let made: Record<string, { id: string }>;

  beforeAll(async () => {
    company = await newCompany("Listing Co");
    const agent = (await s.t.request("POST", `/api/companies/${company.id}/agents`, { body: { name: "Worker" } })).body;
    const project = (await s.t.request("POST", `/api/companies/${company.id}/projects`, { body: { name: "P" } })).body;
    made = {
      a: await createIssue(company.id, { title: "a", status: "todo", assigneeAgentId: agent.id }),
      b: await createIssue(company.id, { title: "b", status: "in_progress", projectId: project.id }),
      c: await createIssue(company.id, { title: "c", status: "done", assigneeAgentId: agent.id, projectId: project.id }),
      d: await createIssue(company.id, { title: "d" }),
      e: await issuesRepo.insert(s.t.db.store.db, {
        companyId: company.id,
        title: "e",
        status: "todo",
        originKind: "routine_execution",
        originId: "routine-1",
      }),
    };
    Object.assign(made, { agent, project });
  });
  const list = async (query = "") => s.t.request("GET", `/api/companies/${company.id}/issues${query}`);

  it("lists a company's issues newest first", async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body.map((i: { title: string }) => i.title)).toEqual(["e", "d", "c", "b", "a"]);
  });

  it("filters by one status, a comma-separated list, or repeated status parameters", async () => {
    expect(ids((await list("?status=todo")).body)).toEqual([made.e!.id, made.a!.id]);
    expect(ids((await list("?status=done,in_progress")).body)).toEqual([made.c!.id, made.b!.id]);
    expect(ids((await list("?status=done&status=backlog")).body)).toEqual([made.d!.id, made.c!.id]);
  });

  it("filters by assignee, project and origin, and combines filters", async () => {
    expect(ids((await list(`?assigneeAgentId=${made.agent!.id}`)).body)).toEqual([made.c!.id, made.a!.id]);
    expect(ids((await list(`?projectId=${made.project!.id}`)).body)).toEqual([made.c!.id, made.b!.id]);
    expect(ids((await list(`?projectId=${made.project!.id}&status=done`)).body)).toEqual([made.c!.id]);
    expect(ids((await list("?originKind=routine_execution&originId=routine-1")).body)).toEqual([made.e!.id]);
    expect(ids((await list("?originKind=manual&status=todo")).body)).toEqual([made.a!.id]);
    expect((await list(`?assigneeAgentId=${UNKNOWN}`)).body).toEqual([]);
  });

  it("pages with limit and a before cursor without skipping or repeating issues", async () => {
    const seen: string[] = [];
    let query = "?limit=2";
    for (;;) {
      const page = await list(query);
      expect(page.status).toBe(200);
      if (page.body.length === 0) break;
      expect(page.body.length).toBeLessThanOrEqual(2);
      seen.push(...ids(page.body));
      query = `?limit=2&before=${page.body.at(-1).id}`;
    }
    expect(seen).toEqual(ids((await list()).body));
    expect(seen).toHaveLength(5);
  });

  it("rejects invalid filters and cursors with 400", async () => {
    for (const query of [
      "?status=open",
      "?status=todo,,done",
      "?status=",
      "?assigneeAgentId=nope",
      "?projectId=123",
      "?limit=0",
      "?limit=201",
      "?limit=ten",
      "?limit=2.5",
      "?before=nope",
      `?before=${UNKNOWN}`,
      "?colour=red",
    ]) {
      const res = await list(query);
      expect(res.status, query).toBe(400);
      expect(res.body.error, query).toEqual(expect.any(String));
    }
  });

  it("refuses a cursor that belongs to another company", async () => {
    const foreign = await createIssue(s.w.company.id, { title: "foreign cursor" });
    const res = await list(`?before=${foreign.id}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toContain("before");
  });

  it("defaults to 50 issues per page", async () => {
    const busy = await newCompany("Busy Co");
    for (let i = 0; i < 51; i++) await issuesRepo.insert(s.t.db.store.db, { companyId: busy.id, title: `n${i}` });
    expect((await s.t.request("GET", `/api/companies/${busy.id}/issues`)).body).toHaveLength(50);
    expect((await s.t.request("GET", `/api/companies/${busy.id}/issues?limit=200`)).body).toHaveLength(51);
  });
});

describe("comments", () => {
  it("records who wrote each comment and lists them oldest first", async () => {
    const issue = await createIssue(s.w.company.id, { title: "Discuss" });
    const url = `/api/issues/${issue.id}/comments`;
    const fromBoard = await s.t.request("POST", url, { body: { body: "From the board" } });
    expect(fromBoard.status).toBe(201);
    expect(fromBoard.body).toMatchObject({ issueId: issue.id, companyId: s.w.company.id, authorKind: "board", authorAgentId: null });
    const fromAgent = await s.t.request("POST", url, { body: { body: "From the agent\n" }, token: s.w.peer.key });
    expect(fromAgent.body).toMatchObject({ authorKind: "agent", authorAgentId: s.w.peer.id, body: "From the agent\n" });
    const listed = await s.t.request("GET", url, { token: s.w.agent.key });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([fromBoard.body, fromAgent.body]);
  });

  it("rejects empty, blank, oversized and malformed comments with 400 and writes nothing", async () => {
    const issue = await createIssue(s.w.company.id, { title: "Quiet" });
    const url = `/api/issues/${issue.id}/comments`;
    for (const body of [{}, { body: "" }, { body: "  \n " }, { body: "x".repeat(50_001) }, { body: 42 }, { body: "hi", authorKind: "system" }]) {
      await expectRefused(400, () => s.t.request("POST", url, { body }));
    }
    expect((await s.t.request("POST", url, { body: { body: "x".repeat(50_000) } })).status).toBe(201);
  });
});

describe("access", () => {
  let issue: { id: string };
  beforeAll(async () => {
    issue = await createIssue(s.w.company.id, { title: "Guarded" });
  });
  const endpoints = () => [
    { method: "GET", url: `/api/companies/${s.w.company.id}/issues`, ok: 200 },
    { method: "POST", url: `/api/companies/${s.w.company.id}/issues`, body: { title: "t" }, ok: 201 },
    { method: "GET", url: `/api/issues/${issue.id}`, ok: 200 },
    { method: "PATCH", url: `/api/issues/${issue.id}`, body: { priority: "high" }, ok: 200 },
    { method: "GET", url: `/api/issues/${issue.id}/comments`, ok: 200 },
    { method: "POST", url: `/api/issues/${issue.id}/comments`, body: { body: "hello" }, ok: 201 },
  ];

  it("lets the board and every agent of the company use every endpoint", async () => {
    for (const token of [undefined, s.w.agent.key, s.w.peer.key]) {
      for (const e of endpoints()) {
        const res = await s.t.request(e.method, e.url, { body: e.body, token });
        expect(res.status, `${e.method} ${e.url}`).toBe(e.ok);
      }
    }
  });

  it("forbids an agent of another company with 403 and writes nothing", async () => {
    for (const e of endpoints()) {
      const body = await expectRefused(403, () => s.t.request(e.method, e.url, { body: e.body, token: s.w.outsider.key }));
      expect(body.error).toBe("Agents can only access their own company");
    }
  });

  it("answers 404 for unknown issues and companies, 400 for malformed ids", async () => {
    for (const url of [`/api/issues/${UNKNOWN}`, `/api/issues/${UNKNOWN}/comments`]) {
      expect((await s.t.request("GET", url)).body).toEqual({ error: "Issue not found" });
    }
    await expectRefused(404, () => s.t.request("PATCH", `/api/issues/${UNKNOWN}`, { body: { title: "x" } }));
    await expectRefused(404, () => s.t.request("POST", `/api/issues/${UNKNOWN}/comments`, { body: { body: "x" } }));
    await expectRefused(404, () => s.t.request("POST", `/api/companies/${UNKNOWN}/issues`, { body: { title: "x" } }));
    expect((await s.t.request("GET", `/api/companies/${UNKNOWN}/issues`)).status).toBe(404);
    for (const url of ["/api/issues/not-a-uuid", "/api/issues/123/comments", "/api/companies/nope/issues"]) {
      expect((await s.t.request("GET", url)).status, url).toBe(400);
    }
    await expectRefused(400, () => s.t.request("PATCH", "/api/issues/not-a-uuid", { body: { title: "x" } }));
  });

  it("rejects a revoked key with 401", async () => {
    const created = (await s.t.request("POST", `/api/agents/${s.w.peer.id}/keys`, { body: { name: "short-lived" } })).body;
    expect((await s.t.request("GET", `/api/issues/${issue.id}`, { token: created.key })).status).toBe(200);
    await s.t.request("DELETE", `/api/agents/${s.w.peer.id}/keys/${created.id}`);
    await expectRefused(401, () => s.t.request("PATCH", `/api/issues/${issue.id}`, { body: { title: "x" }, token: created.key }));
  });
});

describe("in authenticated mode", () => {
  let auth: TestApp;
  beforeAll(async () => {
    auth = await createTestApp({ env: { ROUTINED_DEPLOYMENT_MODE: "authenticated", ROUTINED_BOARD_TOKEN: BOARD_TOKEN } });
  });
  afterAll(() => auth.close());

  it("requires a credential: 401 without one, the board token works", async () => {
    const company = (await auth.request("POST", "/api/companies", { body: { name: "Secure" }, token: BOARD_TOKEN })).body;
    const url = `/api/companies/${company.id}/issues`;
    const anonymous = await auth.request("POST", url, { body: { title: "x" } });
    expect(anonymous).toMatchObject({ status: 401, body: { error: expect.any(String) } });
    expect((await auth.request("GET", url)).status).toBe(401);
    expect((await auth.request("GET", url, { token: BOARD_TOKEN })).body).toEqual([]);
  });
});

describe("execution issues", () => {
  it("completes the routine run when its issue is moved to done, and fails it when cancelled", async () => {
    const routine = (
      await s.t.request("POST", `/api/companies/${s.w.company.id}/routines`, {
        body: { title: "Triage", assigneeAgentId: s.w.agent.id, projectId: s.w.project.id, concurrencyPolicy: "always_enqueue" },
      })
    ).body;
    const fire = async () => (await s.t.request("POST", `/api/routines/${routine.id}/run`, { body: {} })).body;
    const first = await fire();
    const second = await fire();
    const executions = await s.t.request("GET", `/api/companies/${s.w.company.id}/issues?originKind=routine_execution&originId=${routine.id}`);
    expect(ids(executions.body)).toEqual([second.linkedIssueId, first.linkedIssueId]);

    expect((await s.t.request("PATCH", `/api/issues/${first.linkedIssueId}`, { body: { status: "done" }, token: s.w.agent.key })).status).toBe(200);
    expect((await s.t.request("PATCH", `/api/issues/${second.linkedIssueId}`, { body: { status: "cancelled" } })).status).toBe(200);
    const runs = (await s.t.request("GET", `/api/routines/${routine.id}/runs`)).body;
    expect(runs.find((r: { id: string }) => r.id === first.id)).toMatchObject({ status: "completed", completedAt: expect.any(String) });
    expect(runs.find((r: { id: string }) => r.id === second.id)).toMatchObject({
      status: "failed",
      failureReason: "Execution issue moved to cancelled",
    });
  });
});
