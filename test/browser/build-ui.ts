/** Global setup of the browser tests: build the dashboard as `npm install` does, so the tests see the current source. */
import { fileURLToPath } from "node:url";
import { build } from "vite";

export default async function setup() {
  // vitest sets NODE_ENV=test, which Vite would bake into the bundle: build what users get
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({ configFile: fileURLToPath(new URL("../../src/ui/vite.config.ts", import.meta.url)), mode: "production", logLevel: "error" });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
