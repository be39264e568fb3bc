/**
 * Configuration from the environment, validated once at start. Every setting is in the README's
 * configuration table; nothing else reads `process.env`.
 */
import path from "node:path";
import { z } from "zod";
import type { AdapterPolicy } from "./domain/adapter-policy";

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

const envSchema = z.object({
  PORT: int(3100, 0, 65535),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
    .optional(),
  ROUTINED_DATA_DIR: z.string().min(1).default("./data"),
  ROUTINED_DEPLOYMENT_MODE: z.enum(["local_trusted", "authenticated"]).default("local_trusted"),
  ROUTINED_BOARD_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  ROUTINED_PUBLIC_URL: z.url().optional(),
  ROUTINED_SECRET_KEY: z.string().optional(),
  ROUTINED_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ROUTINED_LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  ROUTINED_SHUTDOWN_TIMEOUT_SEC: int(10, 0, 3600),
  ROUTINED_DB_POOL_SIZE: int(10, 1, 200),
  ROUTINED_TRUST_PROXY: z.stringbool().default(false),
  ROUTINED_SCHEDULER: z.stringbool().default(true),
  ROUTINED_SCHEDULER_GRACE_SEC: int(60, 1, 86_400),
  ROUTINED_CATCH_UP_CAP: int(25, 1, 1000),
  ROUTINED_DISPATCHER: z.stringbool().default(true),
  ROUTINED_DISPATCH_MAX_ATTEMPTS: int(5, 1, 100),
  ROUTINED_DISPATCH_TIMEOUT_SEC: int(30, 1, 3600),
  ROUTINED_DISPATCH_LEASE_SEC: int(300, 5, 86_400),
  ROUTINED_DISPATCH_CONCURRENCY: int(64, 1, 4096),
  ROUTINED_DISPATCH_PER_AGENT: int(8, 1, 4096),
  ROUTINED_WEBHOOK_BODY_LIMIT: int(262_144, 1024, 10 * 1024 * 1024),
  ROUTINED_WEBHOOK_RATE_PER_TRIGGER: int(30, 1, 1_000_000),
  ROUTINED_WEBHOOK_RATE_PER_IP: int(120, 1, 1_000_000),
  ROUTINED_BODY_LIMIT: int(1_048_576, 1024, 64 * 1024 * 1024),
  ROUTINED_JSON_MAX_DEPTH: int(64, 2, 1000),
  ROUTINED_PROCESS_ADAPTER: z.stringbool().default(false),
  ROUTINED_PROCESS_ALLOWLIST: z.string().optional(),
  ROUTINED_PROCESS_CWD: z.string().startsWith("/", "must be an absolute path").optional(),
  ROUTINED_PROCESS_USER: z
    .string()
    .regex(/^\d+(:\d+)?$/, "must be a numeric uid or uid:gid, e.g. 1001:1001")
    .optional(),
  ROUTINED_HTTP_ADAPTER_ALLOW_LOCAL: z.stringbool().default(false),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  deploymentMode: "local_trusted" | "authenticated";
  boardToken?: string;
  publicUrl: string;
  /** Raw value of ROUTINED_SECRET_KEY; when absent on PGlite a key is generated into the data dir. */
  secretKey?: string;
  logLevel: string;
  /** `json` (default) or `pretty`; unset means pretty when stdout is a terminal. */
  logFormat: "json" | "pretty";
  /** On SIGTERM/SIGINT: how long running deliveries may take to finish before they are abandoned. */
  shutdownTimeoutSec: number;
  dbPoolSize: number;
  trustProxy: boolean;
  scheduler: { enabled: boolean; graceSec: number; catchUpCap: number };
  dispatch: { enabled: boolean; maxAttempts: number; timeoutSec: number; leaseSec: number; concurrency: number; perAgent: number };
  webhook: { bodyLimit: number; ratePerTrigger: number; ratePerIp: number };
  /** Every JSON request body: largest size in bytes, deepest nesting. */
  input: { bodyLimit: number; maxJsonDepth: number };
  adapters: AdapterPolicy;
}

export class ConfigError extends Error {}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  if (e.ROUTINED_DEPLOYMENT_MODE === "local_trusted" && !LOOPBACK.has(e.HOST)) {
    throw new ConfigError(
      `HOST=${e.HOST} is not a loopback address, but ROUTINED_DEPLOYMENT_MODE is local_trusted, where ` +
        `requests without credentials act as the board. Set ROUTINED_DEPLOYMENT_MODE=authenticated ` +
        `with ROUTINED_BOARD_TOKEN to listen on other interfaces.`,
    );
  }
  const allowlist = (e.ROUTINED_PROCESS_ALLOWLIST ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  const relative = allowlist.filter((p) => !path.isAbsolute(p));
  if (relative.length) {
    throw new ConfigError(`ROUTINED_PROCESS_ALLOWLIST: every entry must be an absolute path (a command, or a directory ending in /): ${relative.join(", ")}`);
  }
  if (e.ROUTINED_PROCESS_ADAPTER && allowlist.length === 0) {
    throw new ConfigError(
      "ROUTINED_PROCESS_ADAPTER=true needs ROUTINED_PROCESS_ALLOWLIST: a comma-separated list of the absolute paths of " +
        "the commands process agents may run (an entry ending in / allows every command in that directory).",
    );
  }
  const [uid, gid] = (e.ROUTINED_PROCESS_USER ?? "").split(":").map(Number);
  const hostForUrl = e.HOST.includes(":") ? `[${e.HOST}]` : e.HOST;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.ROUTINED_DATA_DIR,
    deploymentMode: e.ROUTINED_DEPLOYMENT_MODE,
    boardToken: e.ROUTINED_BOARD_TOKEN,
    publicUrl: (e.ROUTINED_PUBLIC_URL ?? `http://${hostForUrl}:${e.PORT}`).replace(/\/+$/, ""),
    secretKey: e.ROUTINED_SECRET_KEY,
    logLevel: e.ROUTINED_LOG_LEVEL,
    logFormat: e.ROUTINED_LOG_FORMAT ?? (process.stdout.isTTY ? "pretty" : "json"),
    shutdownTimeoutSec: e.ROUTINED_SHUTDOWN_TIMEOUT_SEC,
    dbPoolSize: e.ROUTINED_DB_POOL_SIZE,
    trustProxy: e.ROUTINED_TRUST_PROXY,
    scheduler: {
      enabled: e.ROUTINED_SCHEDULER,
      graceSec: e.ROUTINED_SCHEDULER_GRACE_SEC,
      catchUpCap: e.ROUTINED_CATCH_UP_CAP,
    },
    dispatch: {
      enabled: e.ROUTINED_DISPATCHER,
      maxAttempts: e.ROUTINED_DISPATCH_MAX_ATTEMPTS,
      timeoutSec: e.ROUTINED_DISPATCH_TIMEOUT_SEC,
      leaseSec: e.ROUTINED_DISPATCH_LEASE_SEC,
      concurrency: e.ROUTINED_DISPATCH_CONCURRENCY,
      perAgent: e.ROUTINED_DISPATCH_PER_AGENT,
    },
    webhook: {
      bodyLimit: e.ROUTINED_WEBHOOK_BODY_LIMIT,
      ratePerTrigger: e.ROUTINED_WEBHOOK_RATE_PER_TRIGGER,
      ratePerIp: e.ROUTINED_WEBHOOK_RATE_PER_IP,
    },
    input: { bodyLimit: e.ROUTINED_BODY_LIMIT, maxJsonDepth: e.ROUTINED_JSON_MAX_DEPTH },
    adapters: {
      process: {
        enabled: e.ROUTINED_PROCESS_ADAPTER,
        allowlist: allowlist.map((p) => (p.endsWith("/") ? path.resolve(p) + "/" : path.resolve(p))),
        cwd: e.ROUTINED_PROCESS_CWD ? path.resolve(e.ROUTINED_PROCESS_CWD) : undefined,
        uid: e.ROUTINED_PROCESS_USER ? uid : undefined,
        gid: e.ROUTINED_PROCESS_USER ? gid : undefined,
      },
      http: { allowLocal: e.ROUTINED_HTTP_ADAPTER_ALLOW_LOCAL },
    },
  };
}
