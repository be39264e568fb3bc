/**
 * The embedded database's template: made once by the build (`npm install` runs it), an initialised
 * and migrated PGlite data directory. A first start copies it into the (new) data directory instead
 * of running initdb (seconds of CPU in WebAssembly); migrations added since are applied at start as
 * usual. Without a template (running the sources through tsx) a first start runs initdb.
 */
import fs from "node:fs";
import { copyFile, mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sourceFile } from "../source-root";

const TEMPLATE = fileURLToPath(sourceFile("pglite-template/"));

/**
 * initdb options of the template: WAL segments of 1 MB instead of 16 (a first start copies one
 * segment: 15 MB less to write).
 */
export const TEMPLATE_INITDB_PARAMS = ["--wal-segsize=1"];

/** True when the build made a template (the built code runs). */
export const hasTemplate = (): boolean => fs.existsSync(`${TEMPLATE}/PG_VERSION`);

/**
 * Copies the template into `dataDir` (which holds no database yet); false when there is no template.
 * Asynchronous, every file at once: the copies run on libuv's threads while the main thread loads
 * the HTTP modules (about a thousand small files: file creation is most of a first start's cost).
 */
export async function copyTemplate(dataDir: string): Promise<boolean> {
  if (!hasTemplate()) return false;
  // PG_VERSION last: it marks a data directory that holds a database, so a copy cut short (a crash)
  // is still a new directory, copied over again by the next start.
  await copyTree(TEMPLATE, dataDir, "PG_VERSION");
  await copyFile(path.join(TEMPLATE, "PG_VERSION"), path.join(dataDir, "PG_VERSION"));
  return true;
}

async function copyTree(from: string, to: string, except?: string): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o700 });
  const entries = await readdir(from, { withFileTypes: true });
  await Promise.all(
    entries
      .filter((entry) => entry.name !== except)
      .map((entry) => {
        const source = path.join(from, entry.name);
        const target = path.join(to, entry.name);
        return entry.isDirectory() ? copyTree(source, target) : copyFile(source, target);
      }),
  );
}

/**
 * Makes the template (the build calls this): initialised, migrated, and with the one database routined
 * uses. initdb also makes template0 and template1, which only CREATE DATABASE reads (nothing does in
 * embedded mode): dropped, they leave about 470 files to copy instead of 1,070 (file creation is most
 * of what the copy costs).
 */
export async function writeTemplate(): Promise<void> {
  const { openStore } = await import("./db");
  const { migrate } = await import("./migrate");
  const { sql } = await import("drizzle-orm");
  fs.rmSync(TEMPLATE, { recursive: true, force: true });
  const store = await openStore({ dataDir: TEMPLATE, useTemplate: false, initDbParams: TEMPLATE_INITDB_PARAMS });
  try {
    await migrate(store.db);
    for (const name of ["template0", "template1"]) {
      await store.db.execute(sql.raw(`alter database ${name} is_template false`));
      await store.db.execute(sql.raw(`drop database ${name}`));
    }
    await store.db.execute(sql`checkpoint`);
  } finally {
    await store.close();
  }
}
