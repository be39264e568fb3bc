/**
 * Every JSON body is bounded in size and nesting, checked before anything is written; a body over the limit gets
 * its 413 even when the client sends it whole without waiting (no `Expect: 100-continue`).
 */
import net from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { seededApp } from "../helpers/app";

const s = seededApp();
let routineId: string;
let port: number;
beforeAll(async () => {
  const routine = await s.t.request("POST", `/api/companies/${s.w.company.id}/routines`, {
    body: { title: "Nightly", assigneeAgentId: s.w.agent.id, projectId: s.w.project.id },
  });
  routineId = routine.body.id;
  await s.t.app.listen({ port: 0, host: "127.0.0.1" });
  port = (s.t.app.server.address() as net.AddressInfo).port;
});

const nested = (levels: number) => "[".repeat(levels) + "]".repeat(levels);
const runsOf = async () => (await s.t.request("GET", `/api/routines/${routineId}/runs`)).body as unknown[];

/** Sends a whole request at once over a socket, as a client that does not use Expect: 100-continue. */
function sendWhole(path: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (c) => (text += c));
    socket.on("error", reject);
    socket.on("end", () => resolve({ status: Number(text.split(" ")[1]), text }));
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body);
  });
}

describe("JSON nesting", () => {
  it("refuses a run payload nested 5,000 levels deep with a 400 naming the limit, and writes nothing", async () => {
    const before = (await runsOf()).length;
    const res = await s.t.request("POST", `/api/routines/${routineId}/run`, {
      body: `{"payload":{"deep":${nested(5000)}}}`,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("JSON body is nested deeper than 64 levels (the limit, ROUTINED_JSON_MAX_DEPTH)");
    expect(await runsOf()).toHaveLength(before);
  });

  it("counts brackets inside strings as text, and accepts nesting up to the limit", async () => {
    const res = await s.t.request("POST", `/api/routines/${routineId}/run`, {
      body: `{"payload":{"text":"${"[".repeat(500)}","deep":${nested(62)}}}`,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(202);
    const tooDeep = await s.t.request("PATCH", `/api/companies/${s.w.company.id}`, {
      body: `{"name":"x","extra":${nested(64)}}`,
      headers: { "content-type": "application/json" },
    });
    expect(tooDeep.status).toBe(400);
  });
});

describe("body size", () => {
  it("answers a too-large body sent whole without Expect: 100-continue with 413, not a reset", async () => {
    const before = (await runsOf()).length;
    // Large enough that a server closing without reading it resets the connection (EPIPE) before the 413 is read.
    const body = Buffer.from(JSON.stringify({ payload: { blob: "x".repeat(16 * 1024 * 1024) } }));
    const res = await sendWhole(`/api/routines/${routineId}/run`, body);
    expect(res.status).toBe(413);
    expect(res.text).toContain("Request body is too large: the limit for this endpoint is 1048576 bytes");
    expect(await runsOf()).toHaveLength(before);
  });

  it("does the same on the public webhook endpoint", async () => {
    const res = await sendWhole("/api/routine-triggers/public/0123456789abcdef01234567/fire", Buffer.alloc(16 * 1024 * 1024, 0x20));
    expect(res.status).toBe(413);
  });
});
