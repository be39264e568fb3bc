/**
 * The embedded database's template: made once by the build (`npm install` runs it), an initialised
 * and migrated PGlite data directory. A first start copies it into the (new) data directory instead
 * of running initdb (seconds of CPU in WebAssembly); migrations added since are applied at start as
 * usual. Without a template (running the sources through tsx) a first start runs initdb.
 */
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { sourceFile } from "../source-root";

const TEMPLATE = fileURLToPath(sourceFile("pglite-template/"));

/** True when the build made a template (the built code runs). */
export const hasTemplate = (): boolean => fs.existsSync(`${TEMPLATE}/PG_VERSION`);

/** Copies the template into `dataDir` (which holds no database yet); false when there is no template. */
export function copyTemplate(dataDir: string): boolean {
  if (!hasTemplate()) return false;
  fs.cpSync(TEMPLATE, dataDir, { recursive: true, errorOnExist: false, force: false });
  return true;
}

/** Makes the template (the build calls this). */
export async function writeTemplate(): Promise<void> {
  const { openStore } = await import("./db");
  const { migrate } = await import("./migrate");
  fs.rmSync(TEMPLATE, { recursive: true, force: true });
  const store = await openStore({ dataDir: TEMPLATE, useTemplate: false });
  try {
    await migrate(store.db);
  } finally {
    await store.close();
  }
}
