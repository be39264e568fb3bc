/** Runs routined as a real child process (`npm start`, the `routined` binary) and reads its JSON logs. */
import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";

export const REPO = path.resolve(import.meta.dirname, "../..");

export interface Spawned {
  child: ChildProcess;
  /** Every stdout line (JSON log lines) and stderr, as text. */
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the listening URL from the "routined listening" log line. */
  listening: Promise<string>;
}

export function spawnRoutined(command: string, args: string[], env: Record<string, string>): Spawned {
  const child = spawn(command, args, { cwd: REPO, env: { ...process.env, ROUTINED_LOG_FORMAT: "json", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let onUrl: (url: string) => void;
  let onFail: (err: Error) => void;
  const listening = new Promise<string>((resolve, reject) => {
    onUrl = resolve;
    onFail = reject;
  });
  let buffer = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      stdout.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === "routined listening" && entry.url) onUrl(entry.url);
      } catch {
        /* npm's banner */
      }
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      onFail(new Error(`exited (${code ?? signal}) before listening:\n${stdout.join("\n")}\n${stderr.join("")}`));
      resolve({ code, signal });
    }),
  );
  return { child, stdout, stderr, exited, listening };
}

/** True when something accepts TCP connections on the URL's port. */
export function portOpen(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Whether a process with this pid still exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
