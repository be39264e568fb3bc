/**
 * The build's database template (dist/pglite-template, made by `npm install`): a first `npm start`
 * copies it into the new data directory instead of running initdb, the template stays as it was, and
 * the copied database works. Runs the built code (dist/), as `npm start` does.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, spawnRoutined } from "../helpers/process";

const TEMPLATE = path.join(REPO, "dist/pglite-template");

/** Every file below `dir`, relative, with its size. */
function files(dir: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    found.set(path.relative(dir, full), fs.statSync(full).size);
  }
  return found;
}

/** One hash of every file's path, contents and mode below `dir`. */
function fingerprint(dir: string): string {
  const hash = createHash("sha256");
  for (const file of [...files(dir).keys()].sort()) {
    const full = path.join(dir, file);
    hash.update(`${file}\0${fs.statSync(full).mode}\0`).update(fs.readFileSync(full));
  }
  return hash.digest("hex");
}

async function api<T = any>(url: string, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300 && !route.startsWith("/readyz")) throw new Error(`${method} ${route}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "routined-template-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the build's database template", () => {
  it("a first start copies it (no initdb), leaves it unchanged, and the copy is migrated and takes routines", { timeout: 180_000 }, async () => {
    expect(fs.existsSync(path.join(TEMPLATE, "PG_VERSION")), "dist/pglite-template is missing: run `npm run build`").toBe(true);
    const before = fingerprint(TEMPLATE);
    const dataDir = path.join(dir, "data");

    const proc = spawnRoutined(process.execPath, ["dist/main.js"], { PORT: "0", ROUTINED_DATA_DIR: dataDir, ROUTINED_LOG_LEVEL: "info", ROUTINED_SCHEDULER: "false" });
    try {
      const url = await proc.listening;
      const messages = proc.stdout.map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).toContain("creating the embedded database from the build's template");
      expect(messages.filter((m) => m.startsWith("creating the embedded database (first start only"))).toEqual([]);

      // The template's files are in the data directory, WAL segments of 1 MB among them: initdb makes
      // segments of 16 MB, the template is made with 1 MB ones.
      const copied = files(dataDir);
      for (const file of files(TEMPLATE).keys()) expect(copied.has(file), file).toBe(true);
      const segments = [...copied].filter(([file]) => /^pg_wal\/[0-9A-F]{24}$/.test(file));
      expect(segments.length).toBeGreaterThan(0);
      for (const [, size] of segments) expect(size).toBe(1024 * 1024);

      // The copy works: migrations applied (readiness checks them), and a routine can be created.
      const ready = await api<{ checks: Record<string, { ok: boolean }> }>(url, "GET", "/readyz");
      expect(ready.checks.migrations).toMatchObject({ ok: true });
      const company = await api(url, "POST", "/api/companies", { name: "Templated" });
      const agent = await api(url, "POST", `/api/companies/${company.id}/agents`, { name: "Worker", adapterType: "poll" });
      const project = await api(url, "POST", `/api/companies/${company.id}/projects`, { name: "Ops" });
      const routine = await api(url, "POST", `/api/companies/${company.id}/routines`, { title: "Daily", assigneeAgentId: agent.id, projectId: project.id });
      const listed = await api<{ id: string }[]>(url, "GET", `/api/companies/${company.id}/routines`);
      expect(listed.map((r) => r.id)).toEqual([routine.id]);
    } finally {
      proc.child.kill("SIGTERM");
      expect((await proc.exited).code).toBe(0);
    }
    expect(fingerprint(TEMPLATE)).toBe(before);
  });
});
