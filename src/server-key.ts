/**
 * The server key that encrypts webhook and delivery secrets at rest. From ROUTINED_SECRET_KEY, or,
 * on the embedded database only, generated once into `<data dir>/secret.key` (mode 0600). A cluster
 * on PostgreSQL must share one key, so there it has to be configured.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Config } from "./config";
import { ConfigError } from "./config";
import { keyFromString } from "./domain/secret-box";

export function loadServerKey(config: Config): Buffer {
  if (config.secretKey) return keyFromString(config.secretKey);
  if (config.databaseUrl) {
    throw new ConfigError(
      "ROUTINED_SECRET_KEY is required with DATABASE_URL: every process of a cluster must share it. " +
        "Generate one with: node -e \"console.log(require('crypto').randomBytes(32).toString('hex'))\"",
    );
  }
  const file = path.join(config.dataDir, "secret.key");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 }); // private, like the database in it
    fs.writeFileSync(file, crypto.randomBytes(32).toString("hex") + "\n", { mode: 0o600, flag: "wx" });
  }
  return keyFromString(fs.readFileSync(file, "utf8").trim());
}
