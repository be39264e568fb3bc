/**
 * The chaos suite: the experiments of docs/reliability.md in order, on a PostgreSQL database of its own
 * (127.0.0.1:5432) and a temporary PGlite directory, loopback only, bounded in count and time. Returns the
 * figures; `test/chaos` runs the short scale inside `npm test`, `npm run chaos` the long one.
 */
import { Cluster } from "./lib/cluster";
import { createFixture } from "./lib/fixture";
import { createRoutine, everySecond, webhook } from "./lib/fixture";
import { createChaosDatabase } from "./lib/postgres";
import { databaseOutage } from "./experiments/database-outage";
import { fuzzEndpoints } from "./experiments/fuzz";
import { type KillUnderLoadScale, killUnderLoad } from "./experiments/kill-under-load";
import { pgliteKill } from "./experiments/pglite-kill";
import { secretScan } from "./experiments/secret-scan";
import { sigtermMidBurst } from "./experiments/sigterm-mid-burst";
import { call } from "./lib/http";
import { allProcesses, unexpectedExits } from "./lib/server-process";

export interface ChaosScale {
  processes: number;
  killUnderLoad: KillUnderLoadScale;
  outageSeconds: number;
  sigtermBurst: number;
  fuzzRuns: number;
  pglite: { burst: number; killAfter: number };
  pgliteAlongside: boolean;
}

export const SHORT: ChaosScale = {
  processes: 2,
  killUnderLoad: { deliveries: 150, senders: 6, triggers: 10, kills: 1, seconds: 8 },
  outageSeconds: 7,
  sigtermBurst: 120,
  fuzzRuns: 250,
  pglite: { burst: 60, killAfter: 20 },
  pgliteAlongside: true,
};

export const LONG: ChaosScale = {
  processes: 3,
  killUnderLoad: { deliveries: 6000, senders: 32, triggers: 200, kills: 4, seconds: 60 },
  outageSeconds: 20,
  sigtermBurst: 2000,
  fuzzRuns: 6000,
  pglite: { burst: 2000, killAfter: 500 },
  pgliteAlongside: false,
};

export async function runChaos(scale: ChaosScale, progress: (step: string) => void = () => {}) {
  const started = Date.now();
  const db = await createChaosDatabase();
  const cluster = new Cluster(db, scale.processes);
  let cleanupPglite = () => {};
  let pgliteDone: ReturnType<typeof pgliteKill> | undefined;
  const stepSeconds: Record<string, number> = {};
  let stepStart = Date.now();
  let stepName = "";
  const step = (name: string) => {
    if (stepName) stepSeconds[stepName] = Math.round((Date.now() - stepStart) / 100) / 10;
    stepName = name;
    stepStart = Date.now();
    if (name) progress(name);
  };
  try {
    // PGlite is independent of the cluster: the short run does it alongside (its first start creates the
    // database, which takes a while); the long one after the cluster, so that their figures do not mix.
    const startPglite = () => {
      pgliteDone = pgliteKill(scale.pglite.burst, scale.pglite.killAfter);
      pgliteDone.then((p) => (cleanupPglite = p.cleanup)).catch(() => {});
      return pgliteDone;
    };
    if (scale.pgliteAlongside) startPglite();
    step(`starting ${scale.processes} processes on ${db.name}`);
    await cluster.start();
    const f = await createFixture(cluster.url());
    step("kill -9 under webhook load and every-second schedules");
    const kill = await killUnderLoad(cluster, f, scale.killUnderLoad);
    step("database connections cut and refused");
    const outage = await databaseOutage(cluster, f, scale.outageSeconds);
    step("SIGTERM mid-burst");
    const sigterm = await sigtermMidBurst(cluster, f, scale.sigtermBurst);
    step("fuzz of every endpoint");
    const routineId = await createRoutine(cluster.url(), f, "fuzz target");
    const scheduleTrigger = await everySecond(cluster.url(), routineId);
    const hook = await webhook(cluster.url(), routineId);
    await call(cluster.url(), "PATCH", `/api/routines/${routineId}`, { body: { status: "paused" } });
    const publicId = hook.path.split("/")[4]!;
    const fuzz = await fuzzEndpoints(cluster.url(), [f.companyId, f.agentId, f.projectId, routineId, scheduleTrigger, publicId], f.agentKey, scale.fuzzRuns);
    step("PGlite kill -9 and restart (the rest of it)");
    const pglite = await (pgliteDone ?? startPglite());
    await cluster.stop();
    step("secret scan of the database dump, PGlite's files and every log line");
    const secrets = await secretScan(db, pglite.files);
    step("");
    return {
      scale: scale === LONG ? "long" : scale === SHORT ? "short" : "custom",
      seconds: Math.round((Date.now() - started) / 1000),
      stepSeconds,
      processesKilled: cluster.killed + 1 /* PGlite */,
      killUnderLoad: kill,
      databaseOutage: outage,
      sigterm,
      fuzz,
      pglite: pglite.result,
      secretScan: secrets,
      unexpectedExits,
    };
  } finally {
    await cluster.stop().catch(() => {});
    await pgliteDone?.catch(() => {});
    await Promise.all(allProcesses.filter((p) => p.alive()).map((p) => p.kill9()));
    await db.drop().catch(() => {});
    cleanupPglite();
  }
}

export type ChaosFigures = Awaited<ReturnType<typeof runChaos>>;
