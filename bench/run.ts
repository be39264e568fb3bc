/**
 * Runs every benchmark in bench/ (each its own process, one after another) and prints the JSON
 * lines each one prints. `npm run bench -- cron` runs only the files whose name contains "cron".
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const dir = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? "";
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && f.includes(filter))
  .sort();

let failed = 0;
for (const file of files) {
  const res = spawnSync(process.execPath, ["--import", "tsx", path.join(dir, file)], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  for (const line of res.stdout.split("\n")) if (line.trim()) console.log(line);
  if (res.status !== 0) {
    failed++;
    console.error(`bench/${file} exited with ${res.status ?? res.signal}`);
  }
}
process.exit(failed ? 1 : 0);
