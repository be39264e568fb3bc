/**
 * Configuration from the environment, validated once at start. Every setting is in the README's
 * configuration table; nothing else reads `process.env`.
 */
import { z } from "zod";

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
  ROUTINED_DB_POOL_SIZE: int(10, 1, 200),
  ROUTINED_TRUST_PROXY: z.stringbool().default(false),
  ROUTINED_SCHEDULER: z.stringbool().default(true),
  ROUTINED_SCHEDULER_GRACE_SEC: int(60, 1, 86_400),
  ROUTINED_CATCH_UP_CAP: int(25, 1, 1000),
  ROUTINED_DISPATCHER: z.stringbool().default(true),
  ROUTINED_DISPATCH_MAX_ATTEMPTS: int(5, 1, 100),
  ROUTINED_DISPATCH_TIMEOUT_SEC: int(30, 1, 3600),
  ROUTINED_DISPATCH_LEASE_SEC: int(300, 5, 86_400),
  ROUTINED_WEBHOOK_BODY_LIMIT: int(262_144, 1024, 10 * 1024 * 1024),
  ROUTINED_WEBHOOK_RATE_PER_TRIGGER: int(30, 1, 1_000_000),
  ROUTINED_WEBHOOK_RATE_PER_IP: int(120, 1, 1_000_000),
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
  dbPoolSize: number;
  trustProxy: boolean;
  scheduler: { enabled: boolean; graceSec: number; catchUpCap: number };
  dispatch: { enabled: boolean; maxAttempts: number; timeoutSec: number; leaseSec: number };
  webhook: { bodyLimit: number; ratePerTrigger: number; ratePerIp: number };
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
    },
    webhook: {
      bodyLimit: e.ROUTINED_WEBHOOK_BODY_LIMIT,
      ratePerTrigger: e.ROUTINED_WEBHOOK_RATE_PER_TRIGGER,
      ratePerIp: e.ROUTINED_WEBHOOK_RATE_PER_IP,
    },
  };
}
