/**
 * kill -9 of an embedded-PGlite server in the middle of a burst of API runs, then a start on the same data
 * directory: nothing acknowledged is lost (asking again with each acknowledged Idempotency-Key answers with the
 * same run). Returns the data directory's files for the secret scan.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Fixture, createFixture, createRoutine, secrets, webhook } from "../lib/fixture";
import { Tally, call } from "../lib/http";
import { startServerProcess } from "../lib/server-process";

export async function pgliteKill(burst: number, killAfter: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "routined-chaos-pglite-"));
  const env = { ROUTINED_DATA_DIR: path.join(dir, "data"), ROUTINED_LOG_LEVEL: "trace", ROUTINED_DISPATCHER: "false" };
  let server = await startServerProcess("pglite", env, 300_000);
  const f: Fixture = await createFixture(server.url, "Embedded");
  const routineId = await createRoutine(server.url, f, "burst under kill -9");
  await webhook(server.url, routineId); // a secret at rest in PGlite's files, for the scan
  secrets.add(fs.readFileSync(path.join(dir, "data", "secret.key"), "utf8").trim());

  const tally = new Tally();
  const acked = new Map<string, string>();
  let next = 0;
  let killing: Promise<unknown> | undefined;
  const sender = async () => {
    for (let i = next++; i < burst; i = next++) {
      const res = tally.add(await call(server.url, "POST", `/api/routines/${routineId}/run`, { body: { idempotencyKey: `pglite-${i}`, payload: { i } } }));
      if (res.status === 202) acked.set(`pglite-${i}`, res.body.id);
      if (res.status === 0) return; // the process is gone
      if (acked.size >= killAfter) killing ??= server.kill9();
    }
  };
  await Promise.all(Array.from({ length: 8 }, sender));
  await (killing ?? server.kill9());

  server = await startServerProcess("pglite'", env, 300_000);
  let lost = 0;
  for (const [key, id] of acked) {
    const again = await call(server.url, "POST", `/api/routines/${routineId}/run`, { body: { idempotencyKey: key } });
    if (again.status !== 202 || again.body.id !== id) lost++;
  }
  const runs = await call(server.url, "GET", `/api/routines/${routineId}/runs?limit=1`);
  const exitCode = await server.terminate();
  const files = listFiles(path.join(dir, "data")).filter((file) => path.basename(file) !== "secret.key");
  return {
    result: { burst, acknowledged: acked.size, lost, restartedAndServed: runs.status === 200, exitCodeAfterRestart: exitCode, requests: tally.summary() },
    files,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
