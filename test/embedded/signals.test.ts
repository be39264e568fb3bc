/**
 * SIGTERM and SIGINT, as a process supervisor sends them: to exactly the process `npm start` (or the
 * `routined start` binary) leaves it. The server stops gracefully — during a burst of fires too —
 * releases its port and the data-directory lock, writes nothing half, and exits 0.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { openStore, queryRows } from "../../src/store/db";
import { REPO, alive, portOpen, spawnRoutined } from "../helpers/process";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "routined-signals-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function api<T = any>(url: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}/api${route}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function must<T = any>(p: Promise<{ status: number; body: T }>): Promise<T> {
  const res = await p;
  if (res.status >= 300) throw new Error(`setup request failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const lockOf = (dataDir: string) => `${dataDir}.lock`;

describe("shutdown on a signal", () => {
  it("npm start: SIGTERM to the npm process during a burst of fires stops everything, releases the port and the lock, exits 0", { timeout: 180_000 }, async () => {
    const dataDir = path.join(dir, "npm");
    const proc = spawnRoutined("npm", ["start"], { PORT: "0", ROUTINED_DATA_DIR: dataDir, ROUTINED_SHUTDOWN_TIMEOUT_SEC: "5" });
    const url = await proc.listening;
    expect(fs.existsSync(lockOf(dataDir))).toBe(true);

    const company = await must(api(url, "POST", "/companies", { name: "Signals" }));
    const agent = await must(api(url, "POST", `/companies/${company.id}/agents`, { name: "Worker", adapterType: "poll" }));
    const project = await must(api(url, "POST", `/companies/${company.id}/projects`, { name: "Ops" }));
    const routines: string[] = [];
    for (let i = 0; i < 10; i++) {
      const routine = await must(
        api(url, "POST", `/companies/${company.id}/routines`, {
          title: `Every second ${i}`,
          assigneeAgentId: agent.id,
          projectId: project.id,
          concurrencyPolicy: "always_enqueue",
        }),
      );
      // scheduled fires every second, alongside the manual burst below
      await must(api(url, "POST", `/routines/${routine.id}/triggers`, { kind: "schedule", cronExpression: "* * * * * *", timezone: "UTC" }));
      routines.push(routine.id);
    }

    // 8 clients fire manual runs as fast as they can until the server stops answering.
    const acknowledged: string[] = [];
    const unexpected: string[] = [];
    let stopClients = false;
    const clients = Array.from({ length: 8 }, async (_, c) => {
      for (let n = 0; !stopClients; n++) {
        try {
          const res = await api(url, "POST", `/routines/${routines[(c + n) % routines.length]}/run`, { payload: { n } });
          if (res.status === 202) acknowledged.push(res.body.id);
          else if (res.status !== 503) unexpected.push(`${res.status} ${JSON.stringify(res.body)}`);
        } catch {
          return; // connection refused or reset: the server is gone
        }
      }
    });
    await new Promise((r) => setTimeout(r, 2_500));
    const before = acknowledged.length;
    process.kill(proc.child.pid!, "SIGTERM");
    const exit = await proc.exited;
    stopClients = true;
    await Promise.all(clients);

    expect(before).toBeGreaterThan(0);
    expect(unexpected).toEqual([]);
    expect(exit, proc.stdout.filter((l) => !l.includes('"msg":"fire"') && !l.includes("request completed")).slice(-20).join("\n") + proc.stderr.join("")).toEqual({ code: 0, signal: null });
    expect(await portOpen(url)).toBe(false);
    expect(fs.existsSync(lockOf(dataDir))).toBe(false);
    const logs = proc.stdout.flatMap((l) => (l.startsWith("{") ? [JSON.parse(l)] : []));
    expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(["shutting down", "stopped"]));
    expect(logs.find((l) => l.msg === "shutting down").signal).toBe("SIGTERM");

    // The data directory opens again (the lock is free) and holds nothing half-written.
    const store = await openStore({ dataDir });
    try {
      const runs = await queryRows<{ id: string; source: string; status: string; linked_issue_id: string | null }>(
        store.db,
        sql`select id, source, status, linked_issue_id from routine_runs`,
      );
      const ids = new Set(runs.map((r) => r.id));
      for (const id of acknowledged) expect(ids.has(id)).toBe(true);
      expect(runs.some((r) => r.source === "schedule")).toBe(true);
      // always_enqueue: every run created its issue and its heartbeat run, in the same transaction
      const broken = await queryRows<{ id: string }>(
        store.db,
        sql`select r.id from routine_runs r
            left join issues i on i.id = r.linked_issue_id
            left join heartbeat_runs h on h.routine_run_id = r.id
            where r.status <> 'issue_created' or i.id is null or h.id is null`,
      );
      expect(broken).toEqual([]);
      const orphanIssues = await queryRows<{ id: string }>(
        store.db,
        sql`select i.id from issues i left join routine_runs r on r.id = i.origin_run_id where i.origin_run_id is not null and r.id is null`,
      );
      expect(orphanIssues).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("routined start, as the Dockerfile runs it: SIGINT when idle stops it and releases the port and the lock, exit 0; SIGTERM while starting too", { timeout: 180_000 }, async () => {
    const dataDir = path.join(dir, "bin");
    // The Dockerfile's ENTRYPOINT + CMD, exactly (no Docker daemon here: the command runs on this host).
    const dockerfile = fs.readFileSync(path.join(REPO, "Dockerfile"), "utf8");
    const [entry, cmd] = [/^ENTRYPOINT (\[.*\])$/m, /^CMD (\[.*\])$/m].map((re) => JSON.parse(re.exec(dockerfile)![1]!) as string[]);
    const [program, ...args] = [...entry!, ...cmd!];
    expect([program, ...args]).toEqual(["node", "bin/routined.js", "start"]);
    const proc = spawnRoutined(program!, args, { PORT: "0", ROUTINED_DATA_DIR: dataDir });
    const url = await proc.listening;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    process.kill(proc.child.pid!, "SIGINT");
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(alive(proc.child.pid!)).toBe(false);
    expect(await portOpen(url)).toBe(false);
    expect(fs.existsSync(lockOf(dataDir))).toBe(false);

    // A signal that arrives while the server is still starting stops it once it is up.
    const early = spawnRoutined(process.execPath, ["bin/routined.js", "start"], { PORT: "0", ROUTINED_DATA_DIR: dataDir });
    early.listening.catch(() => {});
    // The lock is taken while the database opens, well before the server listens.
    for (let i = 0; i < 600 && !fs.existsSync(lockOf(dataDir)); i++) await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(lockOf(dataDir))).toBe(true);
    process.kill(early.child.pid!, "SIGTERM");
    expect(await early.exited).toEqual({ code: 0, signal: null });
    expect(fs.existsSync(lockOf(dataDir))).toBe(false);
  });
});
