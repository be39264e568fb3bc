#!/usr/bin/env node
/**
 * `npm run build:server` (run by `npm install` through `prepare`): bundles the server and the CLI
 * into dist/ (ES modules; packages stay in node_modules), copies the migrations beside them
 * (build:ui puts the dashboard in dist/ui), and makes dist/pglite-template/: an embedded database already initialised and
 * migrated, which a first start copies instead of running initdb. Compiler options come from
 * tsconfig.build.json.
 */
import { cp, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
const started = Date.now();

// Only this script's outputs: dist/ui is build:ui's.
await mkdir(dist, { recursive: true });
for (const name of await readdir(dist)) {
  if (/\.js(\.map)?$/.test(name) || name === "store" || name === "pglite-template" || name === "package.json") {
    await rm(path.join(dist, name), { recursive: true, force: true });
  }
}
await build({
  absWorkingDir: root,
  entryPoints: { main: "src/main.ts", cli: "src/cli/main.ts", "pglite-template": "src/store/pglite-template.ts" },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  tsconfig: "tsconfig.build.json",
  sourcemap: true,
  logLevel: "warning",
});
await mkdir(path.join(dist, "store"), { recursive: true });
await cp(path.join(root, "src/store/migrations"), path.join(dist, "store/migrations"), { recursive: true });
await writeFile(path.join(dist, "package.json"), JSON.stringify({ type: "module" }) + "\n");

// The database template: what a first start would otherwise spend seconds on (initdb, migrations).
const { writeTemplate } = await import(path.join(dist, "pglite-template.js"));
await writeTemplate();
console.log(`build:server: dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
