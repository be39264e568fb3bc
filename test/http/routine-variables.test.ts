/** Routine variables end to end: definitions, runs with values, schedules and webhooks with defaults, the execution issue. */
import { describe, expect, it } from "vitest";
import { seededApp } from "../helpers/app";

const s = seededApp();
const create = (body: Record<string, unknown>) =>
  s.t.request("POST", `/api/companies/${s.w.company.id}/routines`, {
    body: { assigneeAgentId: s.w.agent.id, projectId: s.w.project.id, concurrencyPolicy: "always_enqueue", ...body },
  });
const issueOf = async (run: { linkedIssueId: string }) => (await s.t.request("GET", `/api/issues/${run.linkedIssueId}`)).body;

describe("variables", () => {
  it("syncs definitions with the placeholders and validates them as Paperclip does", async () => {
    const res = await create({
      title: "Review {{repo}} for {{reviewDate}}",
      description: "Owner: {{pr\\_owner}} on {{date}}",
      variables: [{ name: "repo", type: "select", options: ["api", "web"], defaultValue: "api" }, { name: "unused" }],
    });
    expect(res.status).toBe(201);
    expect(res.body.variables).toEqual([
      { name: "repo", label: null, type: "select", defaultValue: "api", required: true, options: ["api", "web"] },
      { name: "reviewDate", label: null, type: "date", defaultValue: null, required: true, options: [] },
      { name: "pr_owner", label: null, type: "text", defaultValue: null, required: true, options: [] },
    ]);
    const dup = await create({ title: "{{a}}", variables: [{ name: "a" }, { name: "a" }] });
    expect(dup).toMatchObject({ status: 422, body: { error: 'Variable "a" is defined more than once' } });
    const badDefault = await create({ title: "{{n}}", variables: [{ name: "n", type: "number", defaultValue: "many" }] });
    expect(badDefault).toMatchObject({ status: 422, body: { error: 'Variable "n" must be a number' } });
    const badSelect = await create({ title: "{{e}}", variables: [{ name: "e", type: "select", options: ["a"], defaultValue: "b" }] });
    expect(badSelect.status).toBe(400);
    expect(badSelect.body.error).toContain("Select variable defaults must match one of the allowed options");
  });

  it("interpolates a run's values into the execution issue, and names a bad or missing variable in a 422", async () => {
    const r = (
      await create({
        title: "Deploy {{service}} ({{count}}x)",
        description: "Dry run: {{dry}}. Day {{date}}",
        variables: [
          { name: "service", type: "select", options: ["api", "web"] },
          { name: "count", type: "number", defaultValue: 1 },
          { name: "dry", type: "boolean", defaultValue: false },
        ],
      })
    ).body;
    const run = await s.t.request("POST", `/api/routines/${r.id}/run`, { body: { variables: { service: "web", count: "3", dry: "yes" } } });
    expect(run.status).toBe(202);
    expect(run.body.triggerPayload).toEqual({ variables: { service: "web", count: 3, dry: true } });
    const issue = await issueOf(run.body);
    expect(issue.title).toBe("Deploy web (3x)");
    expect(issue.description).toMatch(/^Dry run: true\. Day \d{4}-\d\d-\d\d$/);

    const missing = await s.t.request("POST", `/api/routines/${r.id}/run`, { body: {} });
    expect(missing).toMatchObject({ status: 422, body: { error: "Missing routine variables: service" } });
    const wrong = await s.t.request("POST", `/api/routines/${r.id}/run`, { body: { variables: { service: "db" } } });
    expect(wrong).toMatchObject({ status: 422, body: { error: 'Variable "service" must match one of: api, web' } });
    const viaPayload = await s.t.request("POST", `/api/routines/${r.id}/run`, { body: { payload: { variables: { service: "api" }, note: "x" } } });
    expect((await issueOf(viaPayload.body)).title).toBe("Deploy api (1x)");
  });

  it("refuses an enabled schedule for a required variable without a default, with Paperclip's message; defaults fire", async () => {
    const r = (await create({ title: "Digest for {{team}}" })).body;
    const refused = await s.t.request("POST", `/api/routines/${r.id}/triggers`, { body: { kind: "schedule", cronExpression: "*/5 * * * *" } });
    expect(refused).toMatchObject({ status: 422, body: { error: "Scheduled routines require defaults for required variables: team" } });
    const disabled = await s.t.request("POST", `/api/routines/${r.id}/triggers`, { body: { kind: "schedule", cronExpression: "*/5 * * * *", enabled: false } });
    expect(disabled.status).toBe(201);
    const enable = await s.t.request("PATCH", `/api/routine-triggers/${disabled.body.trigger.id}`, { body: { enabled: true } });
    expect(enable.status).toBe(422);

    await s.t.request("PATCH", `/api/routines/${r.id}`, { body: { variables: [{ name: "team", defaultValue: "infra" }] } });
    const enabled = await s.t.request("PATCH", `/api/routine-triggers/${disabled.body.trigger.id}`, { body: { enabled: true } });
    expect(enabled.status).toBe(200);
    // With a schedule enabled, the default cannot be taken away again.
    const undo = await s.t.request("PATCH", `/api/routines/${r.id}`, { body: { variables: [{ name: "team" }] } });
    expect(undo).toMatchObject({ status: 422, body: { error: "Scheduled routines require defaults for required variables: team" } });

    await s.t.services.scheduling.runDue(new Date(enabled.body.nextRunAt));
    const runs = (await s.t.request("GET", `/api/routines/${r.id}/runs`)).body;
    expect(runs[0]).toMatchObject({ source: "schedule", status: "issue_created" });
    expect(runs[0].linkedIssue.title).toBe("Digest for infra");
    await s.t.request("PATCH", `/api/routine-triggers/${disabled.body.trigger.id}`, { body: { enabled: false } });
  });

  it("fills a webhook fire's variables from its payload, else the defaults", async () => {
    const r = (await create({ title: "Build {{branch}}", variables: [{ name: "branch", defaultValue: "main" }] })).body;
    const hook = (await s.t.request("POST", `/api/routines/${r.id}/triggers`, { body: { kind: "webhook" } })).body;
    const path = new URL(hook.secretMaterial.webhookUrl).pathname;
    const headers = { authorization: `Bearer ${hook.secretMaterial.webhookSecret}` };
    const fromPayload = await s.t.request("POST", path, { body: { branch: "release" }, headers });
    expect(fromPayload.status).toBe(202);
    expect((await issueOf(fromPayload.body)).title).toBe("Build release");
    const byDefault = await s.t.request("POST", path, { body: { other: 1 }, headers });
    expect((await issueOf(byDefault.body)).title).toBe("Build main");
  });
});
