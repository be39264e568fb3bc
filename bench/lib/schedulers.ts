/**
 * Starts scheduler processes for a benchmark: each a separate OS process (`scheduler-worker.ts`)
 * with its own connection pool, so they really compete for due triggers as a cluster would.
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { WorkerStats } from "./scheduler-worker";

const PROFILE_DIR = process.env.ROUTINED_BENCH_CPU_PROF;
const WORKER = fileURLToPath(new URL("./scheduler-worker.ts", import.meta.url));

export interface SchedulerProcess {
  pid: number;
  /** Restarts the process's counters (CPU, queries, batches) from now. */
  mark(): Promise<void>;
  /** Stops the scheduler and the process; resolves to its numbers since the last mark. */
  stop(): Promise<WorkerStats>;
}

function reply(child: ChildProcess, type: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: { type: string }) => {
      if (msg.type !== type) return;
      child.off("message", onMessage).off("exit", onExit);
      resolve(msg);
    };
    const onExit = (code: number | null) => reject(new Error(`scheduler process exited with ${code} before "${type}"`));
    child.on("message", onMessage).once("exit", onExit);
  });
}

export async function startSchedulers(url: string, count: number): Promise<SchedulerProcess[]> {
  const children = Array.from({ length: count }, () =>
    fork(WORKER, [], {
      // ROUTINED_BENCH_CPU_PROF=<dir>: each scheduler process writes a V8 CPU profile there when it exits.
      execArgv: ["--import", "tsx", ...(PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : [])],
      env: { ...process.env, DATABASE_URL: url },
      stdio: ["ignore", 2, 2, "ipc"], // the bench's stdout carries only its JSON lines
    }),
  );
  const killAll = () => children.forEach((c) => c.exitCode === null && c.kill());
  process.once("exit", killAll);
  try {
    await Promise.all(children.map((c) => reply(c, "ready")));
  } catch (err) {
    killAll();
    throw err;
  }
  return children.map((child) => ({
    pid: child.pid!,
    async mark() {
      const marked = reply(child, "marked");
      child.send({ type: "mark" });
      await marked;
    },
    async stop() {
      const stats = reply(child, "stats");
      child.send({ type: "stop" });
      const { stats: s } = await stats;
      if (child.exitCode === null) await once(child, "exit");
      return s as WorkerStats;
    },
  }));
}
