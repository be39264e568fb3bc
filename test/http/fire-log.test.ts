/**
 * The log line of a fire an HTTP request asked for (a webhook delivery, a manual or API run) carries that
 * request's id, as every other line logged for the request does: an operator follows one id from the request
 * to its fire.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { seededApp } from "../helpers/app";
import { addRoutine } from "../helpers/world";

const lines: string[] = [];
const logs = () => lines.map((l) => JSON.parse(l) as Record<string, any>);
const s = seededApp({ logger: pino({ level: "info" }, { write: (line: string) => void lines.push(line) }) });

describe("a fire's log line", () => {
  it("of a webhook delivery carries the delivery's request id", async () => {
    const { routineId, trigger } = await addRoutine(s, { trigger: { kind: "webhook" } });
    const res = await s.t.request("POST", trigger!.path, {
      headers: { authorization: `Bearer ${trigger!.secret}`, "x-request-id": "hook-request-1" },
      body: { event: "deploy" },
    });
    expect(res.status).toBe(202);
    const fire = logs().find((l) => l.msg === "fire" && l.routineId === routineId);
    expect(fire).toMatchObject({ level: 30, requestId: "hook-request-1", source: "webhook", triggerId: trigger!.id, outcome: "issue_created" });
  });

  it("of manual and API runs carries each run's request id, never another's", async () => {
    const { routineId } = await addRoutine(s, { routine: { concurrencyPolicy: "always_enqueue" } });
    const runs = await Promise.all(
      ["manual", "api", "manual"].map((source, i) =>
        s.t.request("POST", `/api/routines/${routineId}/run`, { body: { source }, headers: { "x-request-id": `run-request-${i}` } }),
      ),
    );
    expect(runs.map((r) => r.status)).toEqual([202, 202, 202]);
    const fires = logs().filter((l) => l.msg === "fire" && l.routineId === routineId);
    expect(fires.map((l) => [l.requestId, l.source]).sort()).toEqual([
      ["run-request-0", "manual"],
      ["run-request-1", "api"],
      ["run-request-2", "manual"],
    ]);
  });
});
