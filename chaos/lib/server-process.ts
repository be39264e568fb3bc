/**
 * A routined server as a child process (`node --import tsx src/main.ts`, what `npm start` runs), on a free
 * loopback port, its output captured line by line (the secret scan reads every line afterwards).
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  /** Every line the process wrote, stdout and stderr. */
  lines: string[];
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
  kill9(): Promise<number | string>;
  terminate(): Promise<number | string>;
  alive(): boolean;
}

/** Every line of every process started (also of those that ended): the logs to scan for secrets. */
export const allLines: string[] = [];
/** Every process started: the suite makes sure none outlives it. */
export const allProcesses: ServerProcess[] = [];
/** Processes that ended without being told to (a crash), with their last lines. */
export const unexpectedExits: { name: string; code: number | string; lastLines: string[] }[] = [];

export async function startServerProcess(name: string, env: Record<string, string>, startTimeoutMs = 180_000): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", HOST: "127.0.0.1", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let alive = true;
  let told = false;
  const logFile = process.env.CHAOS_LOG_DIR ? path.join(process.env.CHAOS_LOG_DIR, `${name.replace(/\W/g, "_")}-${Date.now()}.log`) : undefined;
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => {
      alive = false;
      const result = code ?? signal ?? "unknown";
      if (!told) unexpectedExits.push({ name, code: result, lastLines: lines.slice(-15) });
      resolve(result);
    }),
  );
  let onLine: ((line: string) => void) | undefined;
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        allLines.push(line);
        if (logFile) fs.appendFileSync(logFile, line + "\n");
        onLine?.(line);
      }
    });
  }
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => (told = true) && child.kill("SIGKILL") && reject(new Error(`${name} did not start within ${startTimeoutMs} ms:\n${lines.slice(-20).join("\n")}`)), startTimeoutMs);
    onLine = (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.msg === "routined listening") {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        /* not a log line */
      }
    };
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before listening:\n${lines.slice(-20).join("\n")}`));
    });
  });
  onLine = undefined;
  const server: ServerProcess = {
    name,
    url,
    pid: child.pid!,
    lines,
    exited,
    alive: () => alive,
    kill9() {
      told = true;
      child.kill("SIGKILL");
      return exited;
    },
    terminate() {
      told = true;
      child.kill("SIGTERM");
      return exited;
    },
  };
  allProcesses.push(server);
  return server;
}
