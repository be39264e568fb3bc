/** The embedded database (PGlite in a data directory): one process only. */
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { startServer } from "../../src/server";

const run = promisify(execFile);
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "routined-embedded-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the embedded database", () => {
  it("refuses a second process on the same data directory with a clear message", { timeout: 120_000 }, async () => {
    const dataDir = path.join(dir, "data");
    const server = await startServer(
      loadConfig({ PORT: "0", ROUTINED_LOG_LEVEL: "silent", ROUTINED_DATA_DIR: dataDir, ROUTINED_SCHEDULER: "false" }),
    );
    try {
      const second = run(process.execPath, ["--import", "tsx", "src/main.ts"], {
        env: { ...process.env, PORT: "0", ROUTINED_DATA_DIR: dataDir, ROUTINED_LOG_LEVEL: "silent" },
      });
      await expect(second).rejects.toMatchObject({ stderr: expect.stringContaining("is in use by another routined process") });
    } finally {
      await server.stop();
    }
  });

  it("keeps its data across restarts and generates the server key once, readable only by its owner", { timeout: 120_000 }, async () => {
    const dataDir = path.join(dir, "restart");
    const config = loadConfig({ PORT: "0", ROUTINED_LOG_LEVEL: "silent", ROUTINED_DATA_DIR: dataDir, ROUTINED_SCHEDULER: "false" });
    const logged: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => logged.push(JSON.parse(line).msg) });
    const first = await startServer(config, { logger });
    // The first start says why it takes seconds (PGlite creates the database); later starts do not.
    expect(logged[0]).toBe("creating the embedded database (first start only: this takes several seconds)");
    await fetch(`${first.url}/api/companies`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Kept" }) });
    await first.stop();
    const key = fs.readFileSync(path.join(dataDir, "secret.key"), "utf8");
    expect(fs.statSync(path.join(dataDir, "secret.key")).mode & 0o777).toBe(0o600);
    logged.length = 0;
    const second = await startServer(config, { logger });
    try {
      expect(logged.filter((msg) => msg.startsWith("creating"))).toEqual([]);
      const companies = (await (await fetch(`${second.url}/api/companies`)).json()) as { name: string }[];
      expect(companies.map((c) => c.name)).toEqual(["Kept"]);
      expect(fs.readFileSync(path.join(dataDir, "secret.key"), "utf8")).toBe(key);
    } finally {
      await second.stop();
    }
  });

  it("keeps its data private: the directory 0700, nothing in it open to others, a warning for an open one", { timeout: 120_000 }, async () => {
    const dataDir = path.join(dir, "private");
    const config = loadConfig({ PORT: "0", ROUTINED_LOG_LEVEL: "silent", ROUTINED_DATA_DIR: dataDir, ROUTINED_SCHEDULER: "false" });
    const server = await startServer(config);
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    await fetch(`${server.url}/api/companies`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Private" }) });
    await server.stop();
    const open = (await run("find", [dataDir, "-perm", "/go=rwx"])).stdout.trim();
    expect(open).toBe("");

    fs.chmodSync(dataDir, 0o755);
    const warnings: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => warnings.push(JSON.parse(line).msg) });
    const again = await startServer(config, { logger });
    await again.stop();
    expect(warnings).toContain(`The data directory ${dataDir} is open to other users (mode 0755): they may read or change the database. Make it private with: chmod -R go-rwx ${dataDir}`);
  });

  it("takes over a stale lock whose pid now belongs to an unrelated live process", { timeout: 120_000 }, async () => {
    const dataDir = path.join(dir, "stale");
    const lockPath = `${dataDir}.lock`;
    const config = loadConfig({ PORT: "0", ROUTINED_LOG_LEVEL: "silent", ROUTINED_DATA_DIR: dataDir, ROUTINED_SCHEDULER: "false" });
    const unrelated = spawn("sleep", ["60"], { stdio: "ignore" });
    try {
      await new Promise((resolve) => unrelated.once("spawn", resolve));
      // A lock left by a routined that crashed an hour ago, whose pid the unrelated process now has (a pid-only
      // lock file, as routined wrote them before; and one that records the start time of its process).
      for (const content of [`${unrelated.pid}`, JSON.stringify({ pid: unrelated.pid, startTime: "12345" })]) {
        fs.writeFileSync(lockPath, content);
        const anHourAgo = new Date(Date.now() - 3_600_000);
        fs.utimesSync(lockPath, anHourAgo, anHourAgo);
        const server = await startServer(config);
        expect(JSON.parse(fs.readFileSync(lockPath, "utf8"))).toMatchObject({ pid: process.pid });
        await server.stop();
        expect(fs.existsSync(lockPath)).toBe(false);
      }
    } finally {
      unrelated.kill();
    }
  });
});
