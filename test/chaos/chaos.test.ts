/**
 * The short chaos suite (chaos/suite.ts, SHORT): real server processes on a PostgreSQL database of its own and
 * on PGlite, driven over loopback HTTP, killed, cut off from the database, terminated mid-burst and fuzzed.
 * `npm run chaos` runs the long one. PostgreSQL project only (it needs the server for the cluster).
 */
import { describe, expect, it } from "vitest";
import { type ChaosFigures, SHORT, runChaos } from "../../chaos/suite";

describe("chaos (short)", () => {
  let f: ChaosFigures;

  it("runs every experiment", async () => {
    f = await runChaos(SHORT);
    console.info(`chaos (short): ${f.seconds} s`, JSON.stringify(f.stepSeconds));
  }, 600_000);

  it("no process ended without being told to", () => {
    expect(f.unexpectedExits).toEqual([]);
  });

  it("kill -9 under webhook load: every delivery acknowledged once, each 202 backed by one run, issue and heartbeat run", () => {
    const w = f.killUnderLoad.webhooks;
    expect(f.killUnderLoad.processesKilled).toBeGreaterThanOrEqual(1);
    expect(w).toMatchObject({ acknowledged: w.deliveries, runs: w.deliveries, lost: 0, duplicated: 0, mismatched: 0, withoutIssueOrHeartbeat: 0 });
    expect(w.requests.serverErrors5xx).toBe(0);
  });

  it("kill -9 under every-second schedules: every slot of the window fired exactly once", () => {
    const s = f.killUnderLoad.schedules;
    expect(s.expected).toBeGreaterThan(0);
    expect(s).toMatchObject({ committed: s.expected, duplicated: 0, missing: 0, dropped: 0 });
  });

  it("database cut and refused: 503 with Retry-After, back without restart, listeners back, catch-up per policy, logged once", () => {
    const o = f.databaseOutage;
    expect(o.requests.sent).toBeGreaterThan(0);
    expect(o.requests.unavailable503).toBe(o.requests.sent);
    expect(o.requests.with503RetryAfter).toBe(o.requests.sent);
    expect(o.listenersBackMs).not.toBeNull();
    expect(o.listenersBackMs!).toBeLessThan(3_000); // ~1 s on an idle machine; generous for a shared one
    expect(o.apiBackMs).not.toBeNull();
    // enqueue_missed_with_cap fires every missed second; skip_missed records them as dropped; none twice
    expect(o.enqueueMissedWithCap).toMatchObject({ runs: o.enqueueMissedWithCap.span, slots: o.enqueueMissedWithCap.span, droppedRecords: 0 });
    expect(o.skipMissed.runs).toBe(o.skipMissed.slots);
    expect(o.skipMissed.droppedRecords).toBeGreaterThanOrEqual(1);
    // one warning per process and loop (HTTP, scheduler), not one per request; no error lines
    expect(o.logLines.unavailableWarnings).toBeLessThanOrEqual(2 * f.killUnderLoad.processes);
    expect(o.logLines.errors).toBe(0);
    expect(o.logLines.recovered).toBeGreaterThanOrEqual(1);
  });

  it("SIGTERM mid-burst: exit 0, nothing acknowledged lost, nothing half-written", () => {
    const s = f.sigterm;
    expect(s.exitCode).toBe(0);
    expect(s.acknowledged).toBeGreaterThan(0);
    expect(s).toMatchObject({ runs: s.acknowledged, lost: 0, duplicated: 0, withoutIssueOrHeartbeat: 0, halfWritten: { runsWithoutIssue: 0, issuesWithoutHeartbeat: 0 } });
    expect(s.requests.serverErrors5xx).toBe(0);
  });

  it("fuzz of every endpoint: no 5xx", () => {
    expect(f.fuzz.operations).toBeGreaterThan(30);
    expect(f.fuzz.failures).toEqual([]);
    expect(f.fuzz.counterexample).toBeUndefined();
    expect(f.fuzz.requests.serverErrors5xx + f.fuzz.requests.unavailable503 + f.fuzz.requests.connectionFailures).toBe(0);
  });

  it("PGlite kill -9 and restart: nothing acknowledged lost", () => {
    expect(f.pglite.acknowledged).toBeGreaterThan(0);
    expect(f.pglite).toMatchObject({ lost: 0, restartedAndServed: true, exitCodeAfterRestart: 0 });
  });

  it("no secret or key in the database dump, PGlite's files or any log line", () => {
    expect(f.secretScan.secrets).toBeGreaterThanOrEqual(5);
    expect(f.secretScan.logLines).toBeGreaterThan(0);
    expect(f.secretScan.found).toEqual([]);
  });
});
