/** The scheduler loop on the real clock: it wakes at the due time and on NOTIFY, never by polling. */
import { once } from "node:events";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createScheduler } from "../../src/scheduler/scheduler";
import { seededApp } from "../helpers/app";

const s = seededApp();

function startScheduler() {
  const scheduler = createScheduler({
    scheduling: s.t.services.scheduling,
    log: pino({ level: "silent" }),
  });
  return scheduler;
}

describe("scheduler loop", () => {
  it("sleeps until the earliest due time when idle, and wakes on a NOTIFY when a trigger is added", async () => {
    const scheduler = startScheduler();
    const firstSleep = once(scheduler, "sleep");
    await scheduler.start();
    try {
      const [delay] = await firstSleep;
      expect(delay).toBe(60_000); // nothing scheduled: the cap
      const routine = await s.t.request("POST", `/api/companies/${s.w.company.id}/routines`, {
        body: { title: "every second", assigneeAgentId: s.w.agent.id, projectId: s.w.project.id, concurrencyPolicy: "skip_if_active" },
      });
      const fired = once(scheduler, "fired");
      await s.t.request("POST", `/api/routines/${routine.body.id}/triggers`, { body: { kind: "schedule", cronExpression: "* * * * * *" } });
      const [result] = await fired; // woken by NOTIFY, then slept until the next second
      expect(result.fired).toBeGreaterThanOrEqual(1);
      const runs = await s.t.request("GET", `/api/routines/${routine.body.id}/runs`);
      expect(runs.body[0]).toMatchObject({ source: "schedule" });
      const lateness = new Date(runs.body[0].triggeredAt).getTime() - new Date(runs.body[0].scheduledFor).getTime();
      expect(lateness).toBeGreaterThanOrEqual(0);
      expect(lateness).toBeLessThan(5_000);
    } finally {
      await scheduler.stop();
    }
  });
});
