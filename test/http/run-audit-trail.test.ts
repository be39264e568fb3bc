/**
 * Paperclip's run audit trail: an agent sends `X-Paperclip-Run-Id: $PAPERCLIP_RUN_ID` on the requests that change
 * things, and what it changes records that heartbeat run (activity entries, routine revisions, annotation comments).
 */
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { seededApp } from "../helpers/app";

const s = seededApp();

async function activityOf(entityId: string) {
  return (await s.t.request("GET", `/api/companies/${s.w.company.id}/activity?entityId=${entityId}`)).body as any[];
}

describe("X-Paperclip-Run-Id", () => {
  it("is recorded with the agent's changes: activity entries and revisions", async () => {
    const runId = crypto.randomUUID();
    const headers = { "x-paperclip-run-id": runId };
    const created = await s.t.request("POST", `/api/companies/${s.w.company.id}/routines`, {
      token: s.w.agent.key,
      headers,
      body: { title: "Audit", assigneeAgentId: s.w.agent.id, projectId: s.w.project.id },
    });
    expect(created.status).toBe(201);
    const issue = await s.t.request("POST", `/api/companies/${s.w.company.id}/issues`, { token: s.w.agent.key, headers, body: { title: "Follow-up" } });
    expect(issue.status).toBe(201);

    const routineActivity = await activityOf(created.body.id);
    expect(routineActivity.map((a) => [a.action, a.runId, a.agentId])).toEqual(
      expect.arrayContaining([["routine.created", runId, s.w.agent.id], ["routine.revision_created", runId, s.w.agent.id]]),
    );
    expect((await activityOf(issue.body.id)).map((a) => a.runId)).toEqual([runId]);
    const [revision] = (await s.t.request("GET", `/api/routines/${created.body.id}/revisions`, { token: s.w.agent.key })).body;
    expect(revision.createdByRunId).toBe(runId);

    // without the header, nothing is claimed
    await s.t.request("PATCH", `/api/routines/${created.body.id}`, { token: s.w.agent.key, body: { title: "Audit 2" } });
    const updated = (await activityOf(created.body.id)).find((a) => a.action === "routine.updated");
    expect(updated.runId).toBeNull();
  });

  it("is recorded on an annotation's comment", async () => {
    const runId = crypto.randomUUID();
    const r = (await s.t.request("POST", `/api/companies/${s.w.company.id}/routines`, {
      body: { title: "Notes", description: "Check the backups.", assigneeAgentId: s.w.agent.id, projectId: s.w.project.id },
    })).body;
    const doc = (await s.t.request("GET", `/api/routines/${r.id}`)).body.descriptionDocument;
    const thread = await s.t.request("POST", `/api/routines/${r.id}/description/annotations`, {
      token: s.w.agent.key,
      headers: { "x-paperclip-run-id": runId },
      body: {
        baseRevisionId: doc.latestRevisionId,
        baseRevisionNumber: 1,
        selector: {
          quote: { exact: "backups", prefix: "Check the ", suffix: "." },
          position: { normalizedStart: 10, normalizedEnd: 17, markdownStart: 10, markdownEnd: 17 },
        },
        body: "Which ones?",
      },
    });
    expect(thread.status).toBe(201);
    expect(thread.body.comments[0].createdByRunId).toBe(runId);
  });

  it("ignores a value that is not a run id, as Paperclip does, and the request goes through", async () => {
    const res = await s.t.request("POST", `/api/companies/${s.w.company.id}/issues`, {
      token: s.w.agent.key,
      headers: { "x-paperclip-run-id": "run-42; drop table" },
      body: { title: "Odd header" },
    });
    expect(res.status).toBe(201);
    expect((await activityOf(res.body.id)).map((a) => a.runId)).toEqual([null]);
  });
});
