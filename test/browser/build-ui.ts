/** Global setup of the browser tests: build the dashboard as `npm install` does, so the tests see the current source. */
import { fileURLToPath } from "node:url";
import { build } from "vite";

export default async function setup() {
  await build({ configFile: fileURLToPath(new URL("../../src/ui/vite.config.ts", import.meta.url)), logLevel: "error" });
}
