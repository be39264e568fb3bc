import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOARD_TOKEN, type TestApp, createTestApp, seedWorld } from "../helpers/app";
import { addRoutine } from "../helpers/world";

let t: TestApp;
let w: Awaited<ReturnType<typeof seedWorld>>;

// The board authenticates with a token here, so "no credentials" can be tested too.
beforeAll(async () => {
  t = await createTestApp({ env: { ROUTINED_DEPLOYMENT_MODE: "authenticated", ROUTINED_BOARD_TOKEN: BOARD_TOKEN } });
  w = await seedWorld(t, BOARD_TOKEN);
});
afterAll(() => t.close());

const board = () => BOARD_TOKEN;

const createRoutine = async (overrides: Record<string, unknown> = {}, token = board()) => (await addRoutine({ t, w }, { routine: overrides, token })).response;

describe("creating routines", () => {
  it("creates a routine with the spec's defaults", async () => {
    const res = await createRoutine({ description: "Compile status report" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      companyId: w.company.id,
      title: "Weekly CEO briefing",
      description: "Compile status report",
      assigneeAgentId: w.agent.id,
      projectId: w.project.id,
      goalId: null,
      parentIssueId: null,
      priority: "medium",
      status: "active",
      concurrencyPolicy: "coalesce_if_active",
      catchUpPolicy: "skip_missed",
    });
  });

  it("trims the title and rejects an empty one", async () => {
    expect((await createRoutine({ title: "  Daily standup  " })).body.title).toBe("Daily standup");
    expect((await createRoutine({ title: "   " })).status).toBe(400);
  });

  it("lets an agent create a routine assigned to itself", async () => {
    const res = await createRoutine({}, w.agent.key);
    expect(res.status).toBe(201);
    expect(res.body.createdByAgentId).toBe(w.agent.id);
  });

  it("forbids an agent from creating a routine for another agent", async () => {
    const res = await createRoutine({ assigneeAgentId: w.peer.id }, w.agent.key);
    expect(res).toMatchObject({ status: 403, body: { error: "Agents can only manage routines assigned to themselves" } });
  });

  it("rejects an assignee or project of another company with 422", async () => {
    expect((await createRoutine({ assigneeAgentId: w.outsider.id })).status).toBe(422);
    const res = await createRoutine({ projectId: w.otherProject.id });
    expect(res.status).toBe(422);
    expect(res.body.error).toContain("projectId");
  });

  it("rejects unknown fields such as inline triggers with 400", async () => {
    const res = await createRoutine({ triggers: [{ kind: "api" }] });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain("triggers");
  });
});

describe("the access matrix", () => {
  let routineId: string;
  beforeAll(async () => {
    routineId = (await createRoutine({ title: "Owned by CEO" })).body.id;
  });

  const actors = () => ({
    board: board(),
    owner: w.agent.key,
    peer: w.peer.key,
    outsider: w.outsider.key,
  });

  it.each([
    ["board", 200],
    ["owner", 200],
    ["peer", 200],
    ["outsider", 403],
  ] as const)("GET a routine as %s → %i", async (who, status) => {
    expect((await t.request("GET", `/api/routines/${routineId}`, { token: actors()[who] })).status).toBe(status);
  });

  it.each([
    ["board", 200],
    ["owner", 200],
    ["peer", 200],
    ["outsider", 403],
  ] as const)("list a company's routines as %s → %i", async (who, status) => {
    const res = await t.request("GET", `/api/companies/${w.company.id}/routines`, { token: actors()[who] });
    expect(res.status).toBe(status);
  });

  it.each([
    ["board", 200],
    ["owner", 200],
    ["peer", 403],
    ["outsider", 403],
  ] as const)("PATCH a routine as %s → %i", async (who, status) => {
    const res = await t.request("PATCH", `/api/routines/${routineId}`, { token: actors()[who], body: { priority: "high" } });
    expect(res.status).toBe(status);
    if (who === "peer") expect(res.body.error).toBe("Agents can only manage routines assigned to themselves");
  });

  it.each([
    ["board", 201],
    ["owner", 201],
    ["peer", 403],
    ["outsider", 403],
  ] as const)("add a trigger as %s → %i", async (who, status) => {
    const res = await t.request("POST", `/api/routines/${routineId}/triggers`, { token: actors()[who], body: { kind: "api" } });
    expect(res.status).toBe(status);
  });

  it("lets only the board reassign a routine", async () => {
    const byOwner = await t.request("PATCH", `/api/routines/${routineId}`, {
      token: w.agent.key,
      body: { assigneeAgentId: w.peer.id },
    });
    expect(byOwner).toMatchObject({ status: 403, body: { error: "Agents can only assign routines to themselves" } });
    const byBoard = await t.request("PATCH", `/api/routines/${routineId}`, { token: board(), body: { assigneeAgentId: w.peer.id } });
    expect(byBoard.status).toBe(200);
    expect(byBoard.body.assigneeAgentId).toBe(w.peer.id);
    // now the peer owns it and the former owner does not
    expect((await t.request("PATCH", `/api/routines/${routineId}`, { token: w.peer.key, body: { priority: "low" } })).status).toBe(200);
    expect((await t.request("PATCH", `/api/routines/${routineId}`, { token: w.agent.key, body: { priority: "low" } })).status).toBe(403);
  });

  it("answers 401 without credentials and with a revoked key", async () => {
    expect((await t.request("GET", `/api/routines/${routineId}`)).status).toBe(401);
    const key = await t.request("POST", `/api/agents/${w.agent.id}/keys`, { token: board(), body: {} });
    await t.request("DELETE", `/api/agents/${w.agent.id}/keys/${key.body.id}`, { token: board() });
    const res = await t.request("GET", `/api/routines/${routineId}`, { token: key.body.key });
    expect(res).toMatchObject({ status: 401, body: { error: expect.any(String) } });
  });

  it("answers 404 for an unknown routine", async () => {
    const res = await t.request("GET", "/api/routines/00000000-0000-4000-8000-000000000000", { token: board() });
    expect(res).toMatchObject({ status: 404, body: { error: "Routine not found" } });
  });
});

describe("the lifecycle", () => {
  it("goes active → paused → active → archived, and archived is terminal", async () => {
    const id = (await createRoutine()).body.id;
    const patch = (body: object) => t.request("PATCH", `/api/routines/${id}`, { token: board(), body });
    expect((await patch({ status: "paused" })).body.status).toBe("paused");
    expect((await patch({ status: "active" })).body.status).toBe("active");
    expect((await patch({ status: "archived" })).body.status).toBe("archived");
    for (const status of ["active", "paused"]) {
      expect(await patch({ status })).toMatchObject({ status: 409, body: { error: "Routine is archived" } });
    }
    expect((await t.request("GET", `/api/routines/${id}`, { token: board() })).body.status).toBe("archived");
  });

  it("refuses new triggers on an archived routine", async () => {
    const id = (await createRoutine({ status: "archived" })).body.id;
    const res = await t.request("POST", `/api/routines/${id}/triggers`, { token: board(), body: { kind: "api" } });
    expect(res).toMatchObject({ status: 409, body: { error: "Routine is archived" } });
  });
});

describe("reading routines", () => {
  it("lists routines newest-updated first with trigger summaries, lastRun and activeIssue", async () => {
    const first = (await createRoutine({ title: "first" })).body.id;
    const second = (await createRoutine({ title: "second" })).body.id;
    await t.request("POST", `/api/routines/${first}/triggers`, {
      token: board(),
      body: { kind: "schedule", cronExpression: "0 9 * * 1", timezone: "Europe/Amsterdam" },
    });
    await t.request("PATCH", `/api/routines/${first}`, { token: board(), body: { priority: "high" } });
    const res = await t.request("GET", `/api/companies/${w.company.id}/routines`, { token: board() });
    expect(res.status).toBe(200);
    const ids = res.body.map((r: { id: string }) => r.id);
    expect(ids.indexOf(first)).toBeLessThan(ids.indexOf(second));
    const item = res.body.find((r: { id: string }) => r.id === first);
    expect(item).toMatchObject({ lastRun: null, activeIssue: null });
    expect(item.triggers).toEqual([
      expect.objectContaining({ kind: "schedule", cronExpression: "0 9 * * 1", timezone: "Europe/Amsterdam", enabled: true }),
    ]);
    expect(item.triggers[0].nextRunAt).toMatch(/T0[78]:00:00.000Z$/); // 09:00 Amsterdam is 07:00 or 08:00 UTC
  });

  it("filters the list by project and status", async () => {
    const project = await t.request("POST", `/api/companies/${w.company.id}/projects`, { token: board(), body: { name: "Side" } });
    const inSide = (await createRoutine({ title: "side", projectId: project.body.id, status: "paused" })).body.id;
    const byProject = await t.request("GET", `/api/companies/${w.company.id}/routines?projectId=${project.body.id}`, { token: board() });
    expect(byProject.body.map((r: { id: string }) => r.id)).toEqual([inSide]);
    const paused = await t.request("GET", `/api/companies/${w.company.id}/routines?status=paused`, { token: board() });
    expect(paused.body.every((r: { status: string }) => r.status === "paused")).toBe(true);
    expect((await t.request("GET", `/api/companies/${w.company.id}/routines?status=sleeping`, { token: board() })).status).toBe(400);
  });

  it("gets a routine with project, assignee, triggers, recentRuns and activeIssue", async () => {
    const id = (await createRoutine()).body.id;
    const res = await t.request("GET", `/api/routines/${id}`, { token: w.peer.key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id,
      project: { id: w.project.id, name: "Ops" },
      assignee: { id: w.agent.id, name: "CEO" },
      parentIssue: null,
      triggers: [],
      recentRuns: [],
      activeIssue: null,
    });
  });
});
