/**
 * Every secret and key the run created (server keys, webhook secrets, agent keys, and any handed out during
 * the fuzz) is looked for in a pg_dump of the database, in PGlite's data files, and in every log line.
 */
import fs from "node:fs";
import { secrets } from "../lib/fixture";
import type { ChaosDatabase } from "../lib/postgres";
import { allLines } from "../lib/server-process";

export async function secretScan(db: ChaosDatabase, pgliteFiles: string[]) {
  const dump = await db.dump();
  const logs = allLines.join("\n");
  const files = pgliteFiles.map((file) => fs.readFileSync(file));
  const found: string[] = [];
  for (const secret of secrets) {
    const where = [
      dump.includes(secret) && "pg_dump",
      logs.includes(secret) && "logs",
      files.some((content) => content.includes(secret)) && "PGlite files",
    ].filter(Boolean);
    if (where.length) found.push(`${secret.slice(0, 4)}… in ${where.join(", ")}`);
  }
  return { secrets: secrets.size, dumpBytes: dump.length, logLines: allLines.length, pgliteFiles: files.length, found };
}
