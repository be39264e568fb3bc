/**
 * local_trusted mode answers only to its own loopback name (DNS rebinding gets 421) and refuses writes from
 * other sites (403), so a web page cannot act as the board. The public webhook fire stays callable from
 * anywhere (its secret authenticates it). Authenticated mode is unchanged: bearer tokens, no cookies.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOARD_TOKEN, type TestApp, createTestApp, seededApp } from "../helpers/app";

const s = seededApp();
let routineId: string;
beforeAll(async () => {
  const routine = await s.t.request("POST", `/api/companies/${s.w.company.id}/routines`, {
    body: { title: "Nightly", assigneeAgentId: s.w.agent.id, projectId: s.w.project.id },
  });
  routineId = routine.body.id;
});
const runsOf = async () => (await s.t.request("GET", `/api/routines/${routineId}/runs`)).body as unknown[];

describe("local_trusted mode", () => {
  it("refuses a request whose Host is not its loopback name (DNS rebinding) with 421", async () => {
    for (const host of ["attacker.example", "attacker.example:3100", "127.0.0.1.nip.io", "localhost.attacker.example"]) {
      const res = await s.t.request("GET", "/api/companies", { headers: { host } });
      expect(res.status, host).toBe(421);
      expect(res.body.error).toContain("is not this server");
    }
    for (const host of ["localhost", "127.0.0.1", "[::1]", "LOCALHOST:80"]) {
      expect((await s.t.request("GET", "/api/companies", { headers: { host } })).status, host).toBe(200);
    }
  });

  it("refuses a cross-site POST, even without a body, and fires nothing", async () => {
    const before = (await runsOf()).length;
    for (const headers of <Record<string, string>[]>[
      { origin: "https://attacker.example" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site", origin: "http://localhost:5173" },
    ]) {
      const res = await s.t.request("POST", `/api/routines/${routineId}/run`, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body.error).toContain("Cross-site request refused");
    }
    expect((await s.t.request("PATCH", `/api/companies/${s.w.company.id}`, { headers: { origin: "https://attacker.example" }, body: { name: "Pwned" } })).status).toBe(403);
    expect(await runsOf()).toHaveLength(before);
    expect((await s.t.request("GET", `/api/companies/${s.w.company.id}`)).body.name).toBe("Acme");
  });

  it("accepts the dashboard's same-origin requests and clients that send no browser headers", async () => {
    const dashboard = { origin: "http://localhost", "sec-fetch-site": "same-origin" };
    expect((await s.t.request("POST", `/api/routines/${routineId}/run`, { headers: dashboard, body: {} })).status).toBe(202);
    expect((await s.t.request("POST", `/api/routines/${routineId}/run`, { body: {} })).status).toBe(202);
  });

  it("keeps the public webhook endpoint callable from any site and Host: its secret decides", async () => {
    const res = await s.t.request("POST", "/api/routine-triggers/public/0123456789abcdef01234567/fire", {
      headers: { host: "hooks.example.com", origin: "https://attacker.example", "sec-fetch-site": "cross-site" },
      body: {},
    });
    expect(res.status).toBe(404); // no such trigger: neither 421 nor 403
  });

  it("checks the port too when listening", async () => {
    await s.t.app.listen({ port: 0, host: "127.0.0.1" });
    const port = (s.t.app.server.address() as net.AddressInfo).port;
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.1");
        let text = "";
        socket.on("data", (c) => (text += c));
        socket.on("error", reject);
        socket.on("end", () => resolve(Number(text.split(" ")[1])));
        socket.write(`GET /api/companies HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      });
    expect(await get(`127.0.0.1:${port}`)).toBe(200);
    expect(await get(`localhost:${port}`)).toBe(200);
    expect(await get(`127.0.0.1:${port === 65535 ? 1 : port + 1}`)).toBe(421);
    expect(await get("127.0.0.1")).toBe(421);
  });
});

describe("authenticated mode", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ROUTINED_DEPLOYMENT_MODE: "authenticated", ROUTINED_BOARD_TOKEN: BOARD_TOKEN } });
  });
  afterAll(() => t?.close());

  it("is unchanged: a bearer token works under any Host and Origin, no token is 401", async () => {
    const headers = { host: "routined.example.com", origin: "https://elsewhere.example" };
    expect((await t.request("POST", "/api/companies", { token: BOARD_TOKEN, headers, body: { name: "Acme" } })).status).toBe(201);
    expect((await t.request("POST", "/api/companies", { headers, body: { name: "Acme" } })).status).toBe(401);
  });

  it("serves the API docs without a token, like /api/openapi.json", async () => {
    expect((await t.request("GET", "/api/openapi.json")).status).toBe(200);
    for (const path of ["/api/docs", "/api/docs/static/index.html", "/api/docs/json"]) {
      expect([200, 302], path).toContain((await t.request("GET", path)).status);
    }
  });
});
