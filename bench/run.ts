/**
 * Runs every benchmark in bench/ (each its own process, one after another) and prints the JSON
 * lines each one prints. `npm run bench -- cron` runs only the files whose name contains "cron".
 * `npm run bench -- --peers [--quick]` runs bench/peers (routined beside graphile-worker and
 * pg-boss), installing its packages into bench/peers/node_modules first if they are not there.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const dir = path.dirname(fileURLToPath(import.meta.url));
if (process.argv.includes("--peers")) {
  const peers = path.join(dir, "peers");
  if (!existsSync(path.join(peers, "node_modules"))) {
    const install = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: peers, stdio: ["ignore", 2, 2] });
    if (install.status !== 0) process.exit(1);
  }
  const res = spawnSync(process.execPath, ["--import", "tsx", path.join(peers, "run.ts"), ...process.argv.slice(2).filter((a) => a !== "--peers")], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  process.exit(res.status ?? 1);
}
const filter = process.argv.slice(2).find((a) => !a.startsWith("--")) ?? "";
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
