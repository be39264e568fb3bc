/** `npm start`: run one routined process with the configuration from the environment. */
import { ConfigError, loadConfig } from "./config";
import { startServer } from "./server";
import { DataDirLockedError } from "./store/data-dir-lock";

async function main(): Promise<void> {
  const config = loadConfig();
  const server = await startServer(config);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, "shutting down");
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof DataDirLockedError) {
    console.error(`routined: ${err.message}`);
  } else {
    console.error("routined: failed to start:", err instanceof Error ? err.message : err);
  }
  process.exit(1);
});
