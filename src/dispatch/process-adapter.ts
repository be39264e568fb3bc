/**
 * Wakes a process agent: runs `adapterConfig.command` (argv, no shell) with the delivery as JSON
 * on stdin and `ROUTINED_*` variables in its environment. Exit 0 succeeds. stdout and stderr are
 * kept (last 64 KiB) as the run's output. On timeout the command's process group gets SIGTERM,
 * then SIGKILL after a grace period. The child does not inherit routined's environment (which
 * holds the database URL and the server key): only PATH, HOME and locale settings, then `env`.
 *
 * The operator's policy is checked again on every delivery (an agent saved before the adapter was disabled, or
 * before its command left the allowlist, is not run): off unless ROUTINED_PROCESS_ADAPTER=true, commands from
 * ROUTINED_PROCESS_ALLOWLIST, in ROUTINED_PROCESS_CWD, as ROUTINED_PROCESS_USER. A child running as routined's
 * own user can still read routined's original environment in /proc/<ppid>/environ: see docs/security.md.
 */
import { spawn } from "node:child_process";
import { type ProcessPolicy, processCwd, processRefusal } from "../domain/adapter-policy";
import { type Adapter, type AttemptResult, boundedOutput } from "./adapter";

const INHERITED = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR", "SYSTEMROOT"];
/** Under another user, routined's HOME and user name are not the child's. */
const INHERITED_AS_OTHER_USER = ["PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT"];

export interface ProcessAdapterOptions {
  /** Public URL of this routined API, given to the command as ROUTINED_API_URL. */
  apiUrl: string;
  /** Between SIGTERM and SIGKILL on timeout. */
  killGraceMs?: number;
  outputLimit?: number;
  /** The operator's policy (config.adapters.process). */
  policy: ProcessPolicy;
}

export function createProcessAdapter({ apiUrl, killGraceMs = 2000, outputLimit = 64 * 1024, policy }: ProcessAdapterOptions): Adapter {
  return {
    deliver({ payload, agent, timeoutMs, signal }) {
      const config = agent.adapterConfig as { command?: string[]; cwd?: string; env?: Record<string, string> };
      const [file, ...args] = config.command ?? [];
      if (!file) return Promise.resolve(fail("The agent has no adapterConfig.command: set one with PATCH /api/agents/{agentId}"));
      const refusal = processRefusal(policy, config);
      if (refusal) return Promise.resolve(fail(refusal));
      const run = payload.heartbeatRun;
      const env: Record<string, string> = {};
      for (const name of policy.uid === undefined ? INHERITED : INHERITED_AS_OTHER_USER) if (process.env[name] !== undefined) env[name] = process.env[name]!;
      Object.assign(env, config.env, {
        ROUTINED_HEARTBEAT_RUN_ID: run.id,
        ROUTINED_ISSUE_ID: run.issueId ?? "",
        ROUTINED_AGENT_ID: agent.id,
        ROUTINED_ROUTINE_RUN_ID: run.routineRunId ?? "",
        ROUTINED_API_URL: apiUrl,
        // Paperclip's names for the same, read by agents written for Paperclip (its skill sends PAPERCLIP_RUN_ID
        // back as X-Paperclip-Run-Id, which routined records with what the agent changes).
        PAPERCLIP_RUN_ID: run.id,
        PAPERCLIP_AGENT_ID: agent.id,
        PAPERCLIP_COMPANY_ID: run.companyId,
        PAPERCLIP_API_URL: apiUrl,
        ...(run.issueId ? { PAPERCLIP_TASK_ID: run.issueId } : {}),
      });

      return new Promise<AttemptResult>((resolve) => {
        const output = boundedOutput(outputLimit);
        const posix = process.platform !== "win32";
        let child: import("node:child_process").ChildProcessWithoutNullStreams;
        try {
          child = spawnAs(file, args, {
          cwd: processCwd(policy, config.cwd),
          env,
          shell: false,
          detached: posix,
          stdio: ["pipe", "pipe", "pipe"],
          ...(policy.uid !== undefined && { uid: policy.uid }),
          ...(policy.gid !== undefined && { gid: policy.gid }),
          });
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
          const hint = code === "EPERM" && policy.uid !== undefined ? " (running as ROUTINED_PROCESS_USER needs routined to start as root or with CAP_SETUID/CAP_SETGID)" : "";
          return resolve(fail(`Could not start ${file}: ${code}${hint}`));
        }
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
          if (code === 0) return finish({ ok: true, output: output.text(), code });
          const how = sig ? `was killed by ${sig}` : `exited with code ${code}`;
          finish({ ok: false, timedOut: false, error: `The command ${how}`, output: output.text(), code: code ?? undefined });
        });
      });
    },
  };
}

const spawnAs = (file: string, args: string[], options: Parameters<typeof spawn>[2]) =>
  spawn(file, args, options) as import("node:child_process").ChildProcessWithoutNullStreams;

const fail = (error: string): AttemptResult => ({ ok: false, timedOut: false, error });
