#!/usr/bin/env node
/**
 * `prepare` (npm install and npm ci run it): builds dist/ with `npm run build`, which needs the dev
 * dependencies (esbuild, vite). An install without them (`npm ci --omit=dev`) cannot build: with a
 * dist/ already built (copied from a build, as the Dockerfile does) it is kept and this says so;
 * without one the install fails and says how to build. See docs/deployment.md.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const missing = ["esbuild", "vite"].filter((name) => !existsSync(path.join(root, "node_modules", name, "package.json")));
if (missing.length) {
  const built = existsSync(path.join(root, "dist/main.js"));
  const why = `the build tools (${missing.join(", ")}) are not installed (dev dependencies omitted)`;
  if (built) {
    console.log(`prepare: ${why}: keeping the dist/ already built.`);
    process.exit(0);
  }
  console.error(
    `prepare: cannot build dist/: ${why}.\n` +
      "Build with the dev dependencies, then drop them: npm ci && npm prune --omit=dev",
  );
  process.exit(1);
}
const npm = process.env.npm_execpath;
const result = npm
  ? spawnSync(process.execPath, [npm, "run", "build"], { cwd: root, stdio: "inherit" })
  : spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
process.exit(result.status ?? 1);
