/**
 * Embedded mode as `npm start` runs it (`node dist/main.js`, PGlite, a data directory of its own):
 * time from spawning the process to the first HTTP answer on a first start (empty data directory)
 * and on a restart, and the resident memory after a few seconds at rest. Needs the build (`npm run
 * build`, which `npm install` runs). Goals: first start ≤ 3 s, restart ≤ 1 s; memory reported.
 * `ROUTINED_BENCH_CPU_PROF=<dir>` writes a CPU profile of each start. `--entry <file>` runs another
 * build (e.g. a copy of an earlier dist/) for an A/B comparison in the same conditions.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./lib/routined-process";
import { report, sleep } from "./lib/stats";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// `--sources`: the way `npm start` ran before the build step (tsx compiling src/ at start), for comparison.
const fromSources = process.argv.includes("--sources");
const entryArg = process.argv.indexOf("--entry");
const MAIN = path.resolve(ROOT, entryArg > 0 ? process.argv[entryArg + 1]! : "dist/main.js");
if (!fromSources && !existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
const ENTRY = fromSources ? ["--import", "tsx", path.join(ROOT, "src/main.ts")] : [MAIN];

/** CPU time (user + system) the process has used so far, in ms. */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Math.round(((Number(fields[11]) + Number(fields[12])) * 1000) / 100); // utime, stime in clock ticks (100/s)
};
const rssMb = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024);

async function start(dataDir: string, rest: boolean): Promise<{ ms: number; cpuMs: number; rssAtRestMb?: number }> {
  const port = await freePort();
  const prof = process.env.ROUTINED_BENCH_CPU_PROF;
  const t0 = performance.now();
  const { DATABASE_URL: _unset, ...env } = process.env;
  const child = spawn(process.execPath, [...(prof ? ["--cpu-prof", `--cpu-prof-dir=${prof}`] : []), ...ENTRY], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), ROUTINED_DATA_DIR: dataDir, ROUTINED_LOG_LEVEL: "warn" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  let ms = 0;
  let cpu = 0;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`routined exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) {
        ms = performance.now() - t0;
        cpu = cpuMs(child.pid!);
        break;
      }
    } catch {
      /* not listening yet */
    }
    await sleep(5);
  }
  let rssAtRestMb: number | undefined;
  if (rest) {
    await sleep(5_000);
    rssAtRestMb = rssMb(child.pid!);
  }
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
  return { ms: Math.round(ms), cpuMs: cpu, rssAtRestMb };
}

const dir = mkdtempSync(path.join(os.tmpdir(), "routined-start-"));
try {
  const firsts: number[] = [];
  const restarts: number[] = [];
  const firstCpu: number[] = [];
  const restartCpu: number[] = [];
  let rss: number | undefined;
  for (let i = 0; i < 3; i++) {
    const dataDir = path.join(dir, `data-${i}`);
    const first = await start(dataDir, false);
    firsts.push(first.ms);
    firstCpu.push(first.cpuMs);
    const again = await start(dataDir, i === 0);
    restarts.push(again.ms);
    restartCpu.push(again.cpuMs);
    rss ??= again.rssAtRestMb;
  }
  report({
    name: "embedded-start",
    entry: fromSources ? "tsx src/main.ts" : `node ${path.relative(ROOT, MAIN)}`,
    firstStartMs: firsts,
    restartMs: restarts,
    /** CPU time the process used until its first answer: what a quiet machine's start takes at least. */
    firstStartCpuMs: firstCpu,
    restartCpuMs: restartCpu,
    rssAtRestMb: rss,
    goals: { firstStartMs: 3000, restartMs: 1000 },
    met: Math.min(...firsts) <= 3000 && Math.min(...restarts) <= 1000,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
