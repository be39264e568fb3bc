/**
 * Wakes a process agent: runs `adapterConfig.command` (argv, no shell) with the delivery as JSON
 * on stdin and `ROUTINED_*` variables in its environment. Exit 0 succeeds. stdout and stderr are
 * kept (last 64 KiB) as the run's output. On timeout the command's process group gets SIGTERM,
 * then SIGKILL after a grace period. The child does not inherit routined's environment (which
 * holds the database URL and the server key): only PATH, HOME and locale settings, then `env`.
 */
import { spawn } from "node:child_process";
import { type Adapter, type AttemptResult, boundedOutput } from "./adapter";

const INHERITED = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR", "SYSTEMROOT"];

export interface ProcessAdapterOptions {
  /** Public URL of this routined API, given to the command as ROUTINED_API_URL. */
  apiUrl: string;
  /** Between SIGTERM and SIGKILL on timeout. */
  killGraceMs?: number;
  outputLimit?: number;
}

export function createProcessAdapter({ apiUrl, killGraceMs = 2000, outputLimit = 64 * 1024 }: ProcessAdapterOptions): Adapter {
  return {
    deliver({ payload, agent, timeoutMs, signal }) {
      const config = agent.adapterConfig as { command?: string[]; cwd?: string; env?: Record<string, string> };
      const [file, ...args] = config.command ?? [];
      if (!file) return Promise.resolve(fail("The agent has no adapterConfig.command: set one with PATCH /api/agents/{agentId}"));
      const run = payload.heartbeatRun;
      const env: Record<string, string> = {};
      for (const name of INHERITED) if (process.env[name] !== undefined) env[name] = process.env[name]!;
      Object.assign(env, config.env, {
        ROUTINED_HEARTBEAT_RUN_ID: run.id,
        ROUTINED_ISSUE_ID: run.issueId ?? "",
        ROUTINED_AGENT_ID: agent.id,
        ROUTINED_ROUTINE_RUN_ID: run.routineRunId ?? "",
        ROUTINED_API_URL: apiUrl,
      });

      return new Promise<AttemptResult>((resolve) => {
        const output = boundedOutput(outputLimit);
        const posix = process.platform !== "win32";
        const child = spawn(file, args, { cwd: config.cwd, env, shell: false, detached: posix, stdio: ["pipe", "pipe", "pipe"] });
        let timedOut = false;
        let killTimer: NodeJS.Timeout | undefined;
        const kill = (sig: NodeJS.Signals) => {
          try {
            if (posix && child.pid) process.kill(-child.pid, sig);
            else child.kill(sig);
          } catch {
            /* already gone */
          }
        };
        const timer = setTimeout(() => {
          timedOut = true;
          kill("SIGTERM");
          killTimer = setTimeout(() => kill("SIGKILL"), killGraceMs);
        }, timeoutMs);
        const onAbort = () => kill("SIGKILL");
        signal.addEventListener("abort", onAbort, { once: true });
        const finish = (result: AttemptResult) => {
          clearTimeout(timer);
          clearTimeout(killTimer);
          signal.removeEventListener("abort", onAbort);
          resolve(result);
        };

        child.stdout.on("data", (c: Buffer) => output.push(c));
        child.stderr.on("data", (c: Buffer) => output.push(c));
        child.stdin.on("error", () => {}); // a command that does not read stdin is fine
        child.stdin.end(JSON.stringify(payload));
        child.on("error", (err: NodeJS.ErrnoException) =>
          finish(fail(`Could not start ${file}: ${err.code ?? err.message}; check adapterConfig.command and cwd`)),
        );
        child.on("close", (code, sig) => {
          if (timedOut) {
            return finish({ ok: false, timedOut: true, error: `The command did not finish within ${timeoutMs / 1000} s and was killed`, output: output.text() });
          }
          if (code === 0) return finish({ ok: true, output: output.text() });
          const how = sig ? `was killed by ${sig}` : `exited with code ${code}`;
          finish({ ok: false, timedOut: false, error: `The command ${how}`, output: output.text() });
        });
      });
    },
  };
}

const fail = (error: string): AttemptResult => ({ ok: false, timedOut: false, error });
