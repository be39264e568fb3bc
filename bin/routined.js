#!/usr/bin/env node
// The `routined` command: runs the built code in dist/ (`npm install` builds it; `npm run build` again after editing src/).
import { existsSync } from "node:fs";

const cli = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(cli)) {
  console.error("routined: dist/ is missing: run `npm run build` (npm install runs it) in the routined folder");
  process.exit(1);
}
await import(cli.href);
