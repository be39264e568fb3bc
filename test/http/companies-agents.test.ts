import { describe, expect, it } from "vitest";
import { seededApp } from "../helpers/app";

const s = seededApp();

describe("companies", () => {
  it("creates a company with a derived issue prefix", async () => {
    const res = await s.t.request("POST", "/api/companies", { body: { name: "Wayne Enterprises" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "Wayne Enterprises", issuePrefix: "WE" });
  });

  it("shows an agent only its own company", async () => {
    const res = await s.t.request("GET", "/api/companies", { token: s.w.agent.key });
    expect(res.status).toBe(200);
    expect(res.body.map((c: { id: string }) => c.id)).toEqual([s.w.company.id]);
  });

  it("forbids an agent from reading another company", async () => {
    const res = await s.t.request("GET", `/api/companies/${s.w.otherCompany.id}`, { token: s.w.agent.key });
    expect(res).toMatchObject({ status: 403, body: { error: expect.any(String) } });
  });

  it("answers 404 for an unknown company and 400 for a malformed id", async () => {
    expect((await s.t.request("GET", "/api/companies/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await s.t.request("GET", "/api/companies/not-a-uuid")).status).toBe(400);
  });
});

describe("agents and keys", () => {
  it("authenticates an agent by its key and answers /agents/me", async () => {
    const res = await s.t.request("GET", "/api/agents/me", { token: s.w.agent.key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: s.w.agent.id, companyId: s.w.company.id, adapterType: "poll" });
  });

  it("never returns the key again after creation", async () => {
    const res = await s.t.request("GET", `/api/agents/${s.w.agent.id}/keys`);
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain(s.w.agent.key);
    expect(res.body[0]).toMatchObject({ keyPrefix: s.w.agent.key.slice(0, 12), revokedAt: null });
  });

  it("rejects a revoked key with 401", async () => {
    const created = await s.t.request("POST", `/api/agents/${s.w.peer.id}/keys`, { body: { name: "temp" } });
    expect((await s.t.request("GET", "/api/agents/me", { token: created.body.key })).status).toBe(200);
    expect((await s.t.request("DELETE", `/api/agents/${s.w.peer.id}/keys/${created.body.id}`)).status).toBe(204);
    expect((await s.t.request("GET", "/api/agents/me", { token: created.body.key })).status).toBe(401);
  });

  it("rejects an unknown key with 401 even in local trusted mode", async () => {
    const res = await s.t.request("GET", "/api/companies", { token: "rtd_ak_unknown" });
    expect(res).toMatchObject({ status: 401, body: { error: expect.any(String) } });
  });

  it("validates adapterConfig against the adapter type", async () => {
    const res = await s.t.request("POST", `/api/companies/${s.w.company.id}/agents`, {
      body: { name: "Hook", adapterType: "http", adapterConfig: { url: "ftp://x" } },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toContain("adapterConfig");
  });

  it("forbids an agent from managing another agent's keys", async () => {
    const res = await s.t.request("POST", `/api/agents/${s.w.peer.id}/keys`, { token: s.w.agent.key, body: {} });
    expect(res.status).toBe(403);
  });
});
