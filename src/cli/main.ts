/**
 * `routined <command>`: operate a routined installation from the shell, with the same
 * configuration (environment variables) as the server.
 *
 *   routined start                         run the server (same as `npm start`)
 *   routined migrate                       apply database migrations and exit
 *   routined board-tokens create [--name N] create a board token (printed once)
 *   routined cron "<expr>" [--tz Zone] [--count N]   preview a cron schedule
 */
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config";
import { describeCron } from "../domain/cron";
import { previewOccurrences } from "../domain/cron-preview";
import { isAppError } from "../domain/errors";
import { BOARD_TOKEN_PREFIX, displayPrefix, generateToken, hashToken } from "../domain/tokens";
import { type Store, openStore } from "../store/db";
import { migrate } from "../store/migrate";
import { credentialsRepo } from "../store/repos/credentials";

const USAGE = `usage:
  routined start
  routined migrate
  routined board-tokens create [--name <name>]
  routined cron "<expression>" [--tz <IANA zone>] [--count <n>]`;

async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : config.dataDir,
  });
  try {
    await migrate(store.db);
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "start":
      await import("../main");
      return -1; // keeps running
    case "migrate": {
      const applied = await withStore((s) => migrate(s.db));
      console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
      return 0;
    }
    case "board-tokens": {
      const { values, positionals } = parseArgs({ args: rest, options: { name: { type: "string" } }, allowPositionals: true });
      if (positionals[0] !== "create") break;
      const token = generateToken(BOARD_TOKEN_PREFIX);
      await withStore((s) =>
        credentialsRepo.insertBoardToken(s.db, { name: values.name ?? null, tokenPrefix: displayPrefix(token), tokenHash: hashToken(token) }),
      );
      console.log(token);
      console.error("Board token created. It is shown only this once: store it now.");
      return 0;
    }
    case "cron": {
      const { values, positionals } = parseArgs({
        args: rest,
        options: { tz: { type: "string", default: "UTC" }, count: { type: "string", default: "10" } },
        allowPositionals: true,
      });
      const expr = positionals[0];
      if (!expr) break;
      const occurrences = previewOccurrences(expr, values.tz!, new Date(), Math.min(100, Math.max(1, Number(values.count) || 10)));
      console.log(describeCron(expr));
      for (const o of occurrences) {
        console.log(`${o.at.toISOString()}  ${o.local}${o.note ? `  (${o.note})` : ""}`);
      }
      return 0;
    }
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof ConfigError || isAppError(err)) console.error(`routined: ${err.message}`);
    else console.error("routined:", err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
