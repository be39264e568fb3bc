/**
 * Starts routined as users run it — its own OS process (`node dist/main.js` when built, else the
 * sources through tsx) — on a bench database, and stops it. Resolves once it answers HTTP.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

export interface RoutinedProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startRoutined(env: Record<string, string>): Promise<RoutinedProcess> {
  const port = await freePort();
  const built = path.join(ROOT, "dist/main.js");
  // ROUTINED_BENCH_CPU_PROF=<dir>: routined writes a V8 CPU profile there when it exits.
  const prof = process.env.ROUTINED_BENCH_CPU_PROF;
  const args = [
    ...(prof ? ["--cpu-prof", `--cpu-prof-dir=${prof}`] : []),
    ...(existsSync(built) ? [built] : ["--import", "tsx", path.join(ROOT, "src/main.ts")]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    // The bench agents listen on 127.0.0.1: local http targets must be allowed (off by default).
    env: { ...process.env, ROUTINED_LOG_LEVEL: "warn", ROUTINED_HTTP_ADAPTER_ALLOW_LOCAL: "true", ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`routined exited with ${child.exitCode} while starting`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error("routined did not answer within 60 s");
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
