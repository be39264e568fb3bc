#!/usr/bin/env node
/**
 * `npm run build:server` (run by `npm install` through `prepare`): bundles the server and the CLI
 * into dist/ (ES modules, with their dependencies except those in EXTERNAL), copies the migrations beside them
 * (build:ui puts the dashboard in dist/ui), and makes dist/pglite-template/: an embedded database already initialised and
 * migrated, which a first start copies instead of running initdb. Compiler options come from
 * tsconfig.build.json.
 */
import { cp, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** Packages left in node_modules (see the build options below). */
const EXTERNAL = ["@electric-sql/pglite", "pg-native"];

/**
 * A bundled CommonJS module that finds files beside itself through `__dirname` (the API reference
 * page's static files, pino's workers) still finds them in node_modules: its `__dirname` is its
 * folder there, found from dist/ at run time (so an installation can move).
 */
const dirnameOfBundledModules = {
  name: "dirname-of-bundled-modules",
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, async (args) => {
      const contents = await readFile(args.path, "utf8");
      if (!/\b__(dirname|filename)\b/.test(contents)) return undefined;
      const file = path.relative(root, args.path).split(path.sep).join("/");
      const prelude =
        `var __filename = require("node:path").join(__routinedRoot, ${JSON.stringify(file)}); ` +
        `var __dirname = require("node:path").dirname(__filename);\n`;
      return { contents: prelude + contents, loader: "js", resolveDir: path.dirname(args.path) };
    });
  },
};

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
  // Dependencies are bundled too: a start then reads a few files instead of resolving and reading
  // hundreds in node_modules. Kept external: PGlite (it loads its .wasm and .data files through
  // import.meta.url) and optional native modules that are never installed.
  external: EXTERNAL,
  // CommonJS dependencies call require() for Node's own modules; an ES module has none of its own.
  // `__routinedRoot`: the installation's folder (dist/..), for dirnameOfBundledModules.
  banner: {
    js:
      'import { createRequire as __routinedCreateRequire } from "node:module"; const require = __routinedCreateRequire(import.meta.url); ' +
      'const __routinedRoot = require("node:url").fileURLToPath(new URL("..", import.meta.url));',
  },
  plugins: [dirnameOfBundledModules],
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
