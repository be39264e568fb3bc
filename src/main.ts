/**
 * `npm start` and `routined start`: run one routined process with the configuration from the
 * environment, until SIGTERM or SIGINT. Shutdown: stop accepting requests and claiming work, answer
 * the requests in flight, let open fire batches commit, give running deliveries
 * `ROUTINED_SHUTDOWN_TIMEOUT_SEC` to finish, close the database (releasing the data-directory lock),
 * exit 0. A second signal exits at once (1).
 */
import { pgliteWasm } from "./store/pglite-wasm";

// Embedded mode: PGlite's WebAssembly compiles on background threads while the modules below load.
if (!process.env.DATABASE_URL) pgliteWasm().catch(() => {});
const [{ ConfigError, loadConfig }, { createLogger }, { openServerStore }, { DataDirLockedError }] = await Promise.all([
  import("./config"),
  import("./logger"),
  import("./server-store"),
  import("./store/data-dir-lock"),
]);

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  // The database opens while the HTTP server's modules load (PGlite compiles its WebAssembly and a first
  // start copies the template on other threads): startServer awaits it (and reports its failure).
  const store = openServerStore(config, logger);
  store.catch(() => {});
  let stopping: NodeJS.Signals | undefined;
  let shutdown = (signal: NodeJS.Signals) => {
    // A signal while starting: stop as soon as the server is up (its lock and port are then released).
    if (stopping) process.exit(1);
    stopping = signal;
  };
  process.on("SIGINT", (s) => shutdown(s));
  process.on("SIGTERM", (s) => shutdown(s));
  const { startServer } = await import("./server");
  const server = await startServer(config, { logger, store });
  const log = server.app.log;
  const pending = stopping;
  stopping = undefined;
  shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = signal;
    log.info({ signal, timeoutSec: config.shutdownTimeoutSec }, "shutting down");
    // A shutdown that hangs (a stuck query) must not keep a supervisor waiting for ever.
    const guard = setTimeout(() => {
      log.error("shutdown did not finish in time; exiting");
      process.exit(1);
    }, (config.shutdownTimeoutSec + 20) * 1000);
    guard.unref();
    server.stop().then(
      () => {
        log.info("stopped");
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  if (pending) shutdown(pending);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof DataDirLockedError) {
    console.error(`routined: ${err.message}`);
  } else {
    console.error("routined: failed to start:", err instanceof Error ? err.message : err);
  }
  process.exit(1);
});
