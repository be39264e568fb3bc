/**
 * The `routined` binary, run as a user runs it, against a real server on a random port: every
 * command in both output modes (tables, `--json`), `--help` everywhere, and errors — bad flags, a
 * server that is down, 4xx answers, a data directory held by the server — with a useful message
 * and a non-zero exit.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { PG_ADMIN_URL } from "../helpers/engine";
import { pgAdmin } from "../helpers/pg-admin";
import { loadConfig } from "../../src/config";
import { type RunningServer, startServer } from "../../src/server";
import { REPO } from "../helpers/process";

let dir: string;
let server: RunningServer;
let serverDataDir: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      path.join(REPO, "bin/routined.js"),
      args,
      { cwd: dir, env: { ...process.env, ROUTINED_URL: server.url, ROUTINED_LOG_LEVEL: "silent", ...env }, timeout: 240_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs a command in both output modes; returns the parsed JSON and the human text. */
async function both(args: string[], env?: Record<string, string>): Promise<{ json: any; text: string }> {
  const [human, json] = await Promise.all([cli(args, env), cli(["--json", ...args], env)]);
  expect(human, `${args.join(" ")}: ${human.stderr}`).toMatchObject({ code: 0 });
  expect(json, `--json ${args.join(" ")}: ${json.stderr}`).toMatchObject({ code: 0 });
  return { json: JSON.parse(json.stdout), text: human.stdout };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "routined-cli-"));
  serverDataDir = path.join(dir, "server-data");
  server = await startServer(loadConfig({ PORT: "0", ROUTINED_LOG_LEVEL: "silent", ROUTINED_DATA_DIR: serverDataDir, ROUTINED_SCHEDULER: "false" }));
}, 300_000);
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("routined against a running server", () => {
  it("manages companies, agents and keys, routines, triggers and runs, as tables and as JSON", { timeout: 900_000 }, async () => {
    // companies
    const human = await cli(["companies", "create", "--name", "Acme"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^name\s+Acme$/m);
    const company = JSON.parse((await cli(["--json", "companies", "create", "--name", "Globex"])).stdout);
    const companies = await both(["companies", "list"]);
    expect(companies.json.map((c: any) => c.name).sort()).toEqual(["Acme", "Globex"]);
    expect(companies.text).toMatch(/^ID\s+NAME\s+PREFIX\s+CREATED$/m);
    expect(companies.text).toContain(company.id);

    // agents and keys
    const agentText = await cli(["agents", "create", "--company", company.id, "--name", "Reporter"]);
    expect(agentText.stdout).toMatch(/^adapterType\s+poll$/m);
    const agent = JSON.parse((await cli(["--json", "agents", "create", "--company", company.id, "--name", "Worker"])).stdout);
    const agents = await both(["agents", "list", "--company", company.id]);
    expect(agents.json.map((a: any) => a.name).sort()).toEqual(["Reporter", "Worker"]);
    expect(agents.text).toMatch(new RegExp(`^${agent.id}\\s+Worker\\s+poll\\s+active$`, "m"));
    const agentGet = await both(["agents", "get", agent.id]);
    expect(agentGet.json.id).toBe(agent.id);
    const keyText = await cli(["agents", "keys", "create", agent.id, "--name", "laptop"]);
    expect(keyText.stdout.trim()).toMatch(/^\S{20,}$/);
    expect(keyText.stderr).toContain("shown only this once");
    const key = JSON.parse((await cli(["--json", "agents", "keys", "create", agent.id])).stdout);
    expect(key.key).toEqual(expect.any(String));
    const keys = await both(["agents", "keys", "list", agent.id]);
    expect(keys.json).toHaveLength(2);
    expect(keys.text).not.toContain(key.key);
    const revokedText = await cli(["agents", "keys", "revoke", agent.id, keys.json.find((k: any) => k.name === "laptop").id]);
    expect(revokedText).toMatchObject({ code: 0, stdout: expect.stringContaining("revoked key") });
    const revokedJson = await cli(["--json", "agents", "keys", "revoke", agent.id, key.id]);
    expect(revokedJson.code).toBe(0);
    expect(JSON.parse(revokedJson.stdout)).toMatchObject({ id: key.id });

    // routines
    const project: any = await (
      await fetch(`${server.url}/api/companies/${company.id}/projects`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"Ops"}' })
    ).json();
    const base = ["routines", "create", "--company", company.id, "--agent", agent.id, "--project", project.id];
    const routineText = await cli([...base, "--title", "Daily digest"]);
    expect(routineText.stdout).toMatch(/^title\s+Daily digest$/m);
    const routine = JSON.parse((await cli(["--json", ...base, "--title", "Weekly report", "--concurrency", "always_enqueue"])).stdout);
    expect(routine).toMatchObject({ title: "Weekly report", concurrencyPolicy: "always_enqueue", status: "active" });
    const list = await both(["routines", "list", "--company", company.id]);
    expect(list.json.map((r: any) => r.title).sort()).toEqual(["Daily digest", "Weekly report"]);
    expect(list.text).toMatch(/^ID\s+TITLE\s+STATUS\s+POLICY/m);

    // triggers
    const schedText = await cli(["triggers", "add", routine.id, "--kind", "schedule", "--cron", "0 9 * * 1", "--tz", "Europe/Amsterdam"]);
    expect(schedText.stdout).toMatch(/^cronExpression\s+0 9 \* \* 1$/m);
    const hook = JSON.parse((await cli(["--json", "triggers", "add", routine.id, "--kind", "webhook", "--signing-mode", "hmac_sha256"])).stdout);
    expect(hook.secretMaterial.webhookSecret).toEqual(expect.any(String));
    const hookText = await cli(["triggers", "add", routine.id, "--kind", "webhook"]);
    expect(hookText.stdout).toMatch(/^webhook secret: \S+$/m);
    const updated = await both(["triggers", "update", hook.trigger.id, "--label", "from CI", "--enabled", "false"]);
    expect(updated.json).toMatchObject({ label: "from CI", enabled: false });
    expect(updated.text).toMatch(/^enabled\s+false$/m);
    const rotated = await both(["triggers", "rotate", hook.trigger.id]);
    expect(rotated.json.secretMaterial.webhookSecret).not.toBe(hook.secretMaterial.webhookSecret);
    expect(rotated.text).toMatch(/^webhook secret: \S+$/m);
    const got = await both(["routines", "get", routine.id]);
    expect(got.json.triggers).toHaveLength(3);
    expect(got.text).toContain("triggers:");
    expect(got.text).toContain("Europe/Amsterdam");

    // runs
    const ran = await both(["routines", "run", routine.id, "--payload", '{"reason":"cli"}']);
    expect(ran.json).toMatchObject({ status: "issue_created", source: "manual", triggerPayload: { reason: "cli" } });
    expect(ran.text).toMatch(/^status\s+issue_created$/m);
    const runs = await both(["runs", "list", routine.id, "--status", "issue_created"]);
    expect(runs.json).toHaveLength(2);
    expect(runs.text).toMatch(/^ID\s+SOURCE\s+STATUS/m);
    const none = await both(["runs", "list", routine.id, "--status", "skipped"]);
    expect(none.json).toEqual([]);

    // revisions: one per change (here a pause); restoring the first makes the routine active again, as a new revision
    const revised = JSON.parse((await cli(["--json", ...base, "--title", "Revised"])).stdout);
    await cli(["routines", "pause", revised.id]);
    const revs = await both(["revisions", "list", revised.id]);
    expect(revs.json.map((r: any) => [r.revisionNumber, r.changeSummary])).toEqual([[2, "Updated routine"], [1, "Created routine"]]);
    expect(revs.text).toMatch(/^REV\s+ID\s+SUMMARY/m);
    const restored = await cli(["revisions", "restore", revised.id, revs.json[1].id, "--summary", "back to the start"]);
    expect(restored, restored.stderr).toMatchObject({ code: 0 });
    expect(restored.stdout).toMatch(/^restored revision 1: now revision 3 \(back to the start\)$/m);
    expect((await both(["routines", "get", revised.id])).json.status).toBe("active");

    // the activity log: who did what to this routine, newest first
    const log = await both(["activity", "list", "--company", company.id, "--routine", revised.id, "--limit", "200"]);
    expect(log.json.map((a: any) => a.action)).toEqual(expect.arrayContaining(["routine.revision_restored", "routine.updated", "routine.created"]));
    expect(log.json[0]).toMatchObject({ actorType: "user", entityId: revised.id });
    expect(log.json.find((a: any) => a.action === "routine.revision_created" && a.details.changeSummary === "back to the start")).toBeDefined();
    expect(log.text).toMatch(/^WHEN\s+ACTOR\s+ACTION\s+ENTITY/m);
    const onlyRuns = await both(["activity", "--company", company.id, "--entity-type", "routine_run", "--action", "routine.run_triggered"]);
    expect(onlyRuns.json.length).toBeGreaterThan(0);
    expect(onlyRuns.json.every((a: any) => a.entityType === "routine_run")).toBe(true);

    // deliveries: the (poll) agent takes one and reports it failed; the board sees the attempt and retries it
    const queued = await both(["deliveries", "list", agent.id, "--status", "queued"]);
    expect(queued.json).toHaveLength(2);
    expect(queued.text).toMatch(/^ID\s+STATUS\s+ATTEMPT\s+ROUTINE RUN/m);
    const agentKey = JSON.parse((await cli(["--json", "agents", "keys", "create", agent.id])).stdout).key as string;
    const asAgent = { authorization: `Bearer ${agentKey}`, "content-type": "application/json" };
    const taken: any = await (await fetch(`${server.url}/api/agents/me/heartbeat-runs/claim`, { method: "POST", headers: asAgent, body: "{}" })).json();
    const takenId = taken.heartbeatRun.id as string;
    await fetch(`${server.url}/api/heartbeat-runs/${takenId}/complete`, { method: "POST", headers: asAgent, body: '{"status":"failed"}' });
    const attempts = await both(["deliveries", "attempts", takenId]);
    expect(attempts.json).toMatchObject([{ heartbeatRunId: takenId, attempt: 1, adapterType: "poll", outcome: "failed" }]);
    expect(attempts.text).toMatch(/^ATTEMPT\s+STARTED\s+FINISHED\s+ADAPTER\s+OUTCOME/m);
    expect(attempts.text).toMatch(/^1\s+\S+\s+\S+\s+poll\s+failed/m);
    const retried = JSON.parse((await cli(["--json", "deliveries", "retry", takenId])).stdout);
    expect(retried).toMatchObject({ status: "queued", attempt: 0, routineRunId: taken.heartbeatRun.routineRunId });
    const ofRun = await both(["deliveries", "list", agent.id, "--routine-run", taken.heartbeatRun.routineRunId]);
    expect(ofRun.json.map((h: any) => h.id).sort()).toEqual([takenId, retried.id].sort());
    const badLimit = await cli(["deliveries", "attempts", takenId, "--limit", "0"]);
    expect(badLimit).toMatchObject({ code: 1, stderr: expect.stringContaining("--limit must be a whole number from 1 to 200") });

    // lifecycle
    const paused = await both(["routines", "pause", routine.id]);
    expect(paused.json.status).toBe("paused");
    expect(paused.text.trim()).toBe("Weekly report: paused");
    expect((await both(["routines", "list", "--company", company.id, "--status", "paused"])).json.map((r: any) => r.id)).toEqual([routine.id]);
    const resumed = await both(["routines", "resume", routine.id]);
    expect(resumed.json.status).toBe("active");
    // not idempotent: each output mode deletes a trigger of its own
    const deletedText = await cli(["triggers", "delete", hook.trigger.id]);
    expect(deletedText).toMatchObject({ code: 0, stdout: `deleted trigger ${hook.trigger.id}\n` });
    const other = JSON.parse((await cli(["--json", "triggers", "add", routine.id, "--kind", "api"])).stdout);
    const deletedJson = await cli(["--json", "triggers", "delete", other.trigger.id]);
    expect(JSON.parse(deletedJson.stdout)).toEqual({ id: other.trigger.id, deleted: true });
    expect((await cli(["triggers", "delete", hook.trigger.id])).stderr).toContain("404");
    const archived = await both(["routines", "archive", routine.id]);
    expect(archived.json.status).toBe("archived");

    // 4xx answers: the server's message, a hint, a non-zero exit
    const again = await cli(["routines", "run", routine.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^routined: 409 /);
    const missing = await cli(["routines", "get", "00000000-0000-4000-8000-000000000000"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("404");
    expect(missing.stderr).toContain("hint: check the id");
    const badCron = await cli(["triggers", "add", (await both(["routines", "list", "--company", company.id, "--status", "active"])).json[0].id, "--kind", "schedule", "--cron", "61 * * * *"]);
    expect(badCron.code).toBe(1);
    expect(badCron.stderr).toMatch(/routined: 422 /);
    const badJson = await cli(["routines", "run", routine.id, "--payload", "not json"]);
    expect(badJson).toMatchObject({ code: 1, stderr: expect.stringContaining("--payload must be a JSON object") });
  });

  it("explains errors: bad flags, an unknown command, a server that is down, a held data directory; exits non-zero", { timeout: 120_000 }, async () => {
    const [unknownFlag, unknownCommand, missingOption, badChoice, down, held] = await Promise.all([
      cli(["companies", "list", "--bogus"]),
      cli(["routinez"]),
      cli(["routines", "list"]),
      cli(["triggers", "add", "x", "--kind", "email"]),
      cli(["companies", "list"], { ROUTINED_URL: "http://127.0.0.1:9" }),
      cli(["board-tokens", "list"], { ROUTINED_DATA_DIR: serverDataDir }),
    ]);
    expect(unknownFlag.code).not.toBe(0);
    expect(unknownFlag.stderr).toContain("unknown option '--bogus'");
    expect(unknownCommand.code).not.toBe(0);
    expect(unknownCommand.stderr).toContain("unknown command 'routinez'");
    expect(missingOption.code).not.toBe(0);
    expect(missingOption.stderr).toContain("required option '--company <id>' not specified");
    expect(badChoice.code).not.toBe(0);
    expect(badChoice.stderr).toContain("Allowed choices are schedule, webhook, api");
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("cannot reach routined at http://127.0.0.1:9");
    expect(down.stderr).toContain("--url");
    expect(held.code).toBe(1);
    expect(held.stderr).toContain("in use by another routined process");
    expect(held.stderr).toContain("stop the server first");
  });

  it("answers --help with usage and exit 0 for every command", { timeout: 900_000 }, async () => {
    const { buildProgram } = await import("../../src/cli/program");
    const paths: string[][] = [[]];
    const walk = (cmd: import("commander").Command, prefix: string[]) => {
      for (const sub of cmd.commands) {
        if (sub.name() === "help") continue;
        paths.push([...prefix, sub.name()]);
        walk(sub, [...prefix, sub.name()]);
      }
    };
    walk(buildProgram(), []);
    expect(paths.length).toBeGreaterThan(25);
    for (let i = 0; i < paths.length; i += 4) {
      const results = await Promise.all(paths.slice(i, i + 4).map((p) => cli([...p, "--help"])));
      results.forEach((r, j) => {
        expect(r.code, `routined ${paths[i + j]!.join(" ")} --help: ${r.stderr}`).toBe(0);
        expect(r.stdout).toMatch(/^Usage: routined/);
      });
    }
  });
});

describe("routined on the database and offline", () => {
  it("creates, lists and revokes board tokens, migrates and checks the installation, in both output modes", { timeout: 600_000 }, async () => {
    // A PostgreSQL database of its own (each command opens it: far cheaper than starting PGlite each time)
    const name = `routined_test_cli_${crypto.randomBytes(5).toString("hex")}`;
    await pgAdmin(`create database ${name}`);
    onTestFinished(() => pgAdmin(`drop database if exists ${name} with (force)`));
    const env = { DATABASE_URL: PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`), ROUTINED_SECRET_KEY: "cli-test-secret-key" };
    const migrate = await cli(["--json", "migrate"], env);
    expect(migrate, migrate.stderr).toMatchObject({ code: 0 });
    const migrated = JSON.parse(migrate.stdout);
    expect(migrated.applied.length).toBeGreaterThan(0);
    expect((await cli(["migrate"], env)).stdout.trim()).toBe("database is up to date");

    const doctor = await both(["doctor"], env);
    expect(doctor.json.ok).toBe(true);
    expect(doctor.json.checks.map((c: any) => c.check)).toEqual(["configuration", "database", "migrations", "clock skew"]);
    expect(doctor.text).toMatch(/^clock skew\s+ok\s+-?\d+ ms/m);
    const badConfig = await cli(["doctor"], { ...env, ROUTINED_DEPLOYMENT_MODE: "sometimes" });
    expect(badConfig.code).toBe(1);
    expect(badConfig.stdout).toMatch(/^configuration\s+FAIL\s+Invalid configuration/m);

    const created = await cli(["board-tokens", "create", "--name", "ops"], env);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    const second = JSON.parse((await cli(["--json", "board-tokens", "create", "--name", "ci"], env)).stdout);
    const listed = await both(["board-tokens", "list"], env);
    expect(listed.json.map((t: any) => t.name)).toEqual(["ops", "ci"]);
    expect(listed.text).not.toContain(token);
    expect(listed.text).not.toContain(second.token);
    const revoked = await cli(["board-tokens", "revoke", second.id], env);
    expect(revoked).toMatchObject({ code: 0, stdout: expect.stringContaining("revoked board token") });
    const revokedJson = JSON.parse((await cli(["--json", "board-tokens", "revoke", token.slice(0, 12)], env)).stdout);
    expect(revokedJson.revokedAt).toEqual(expect.any(String));
    expect((await cli(["board-tokens", "revoke", "nope"], env)).stderr).toContain("no board token with id or prefix nope");
  });

  it("previews cron schedules offline, with DST notes, as a table and as JSON", { timeout: 240_000 }, async () => {
    const next = await both(["cron", "next", "30 2 * * *", "--tz", "Europe/Amsterdam", "--from", "2026-03-28T00:00:00Z", "--count", "2"]);
    expect(next.json.description).toMatch(/02:30/);
    expect(next.json.occurrences).toHaveLength(2);
    expect(next.json.occurrences[1].note).toEqual(expect.any(String)); // 02:30 does not exist on 2026-03-29
    expect(next.text).toMatch(/^UTC\s+LOCAL\s+NOTE$/m);
    const bad = await cli(["cron", "next", "99 * * * *"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^routined: /);
    expect((await cli(["cron", "next", "* * * * *", "--count", "0"])).stderr).toContain("--count must be a whole number from 1 to 100");
  });
});
