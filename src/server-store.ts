/**
 * The database a routined process runs on, opened for its configuration (PostgreSQL, or PGlite in
 * the data directory, copied from the build's template on a first start). Apart from server.ts so
 * that `main.ts` can start opening it before the HTTP modules load: PGlite compiles its WebAssembly
 * and the template's files are copied on other threads meanwhile.
 */
import type { Logger } from "pino";
import type { Config } from "./config";
import { type Store, isNewDataDir, openStore } from "./store/db";
import { hasTemplate } from "./store/pglite-template";

export function openServerStore(config: Config, logger: Logger): Promise<Store> {
  if (!config.databaseUrl && isNewDataDir(config.dataDir)) {
    if (hasTemplate()) logger.info({ dataDir: config.dataDir }, "creating the embedded database from the build's template");
    else logger.info({ dataDir: config.dataDir }, "creating the embedded database (first start only: this takes several seconds)");
  }
  return openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : config.dataDir,
    poolSize: config.dbPoolSize,
    onWarning: (message) => logger.warn({ dataDir: config.dataDir }, message),
    listenerEvents: {
      onLost: (cause) => logger.warn({ cause }, "database listener lost: reconnecting (NOTIFYs are delayed until it is back)"),
      onRestored: (downMs) => logger.info({ downMs }, "database listener back: every loop looks for missed work now"),
    },
  });
}
