/**
 * The commands that run on this host without a server: `start`, `migrate`, `doctor` and
 * `board-tokens` open the database directly (with the server's configuration, from the
 * environment); `cron next` is offline. Their modules are loaded only when used, so the HTTP
 * commands start fast.
 */
import { type Command, Option } from "commander";
import { CliError, type Printer, table } from "../output";

type StoreModule = typeof import("../../store/db");

/** Opens the configured database; a data directory held by a running server is a clear error. */
async function withStore<T>(purpose: string, fn: (store: Awaited<ReturnType<StoreModule["openStore"]>>) => Promise<T>): Promise<T> {
  const [{ loadConfig }, { openStore }, { DataDirLockedError }] = await Promise.all([
    import("../../config"),
    import("../../store/db"),
    import("../../store/data-dir-lock"),
  ]);
  const config = loadConfig();
  let store;
  try {
    store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir, poolSize: 2 });
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      throw new CliError(
        `${err.message}\n${purpose} needs the database itself, and the embedded one serves one process: stop the server first. ` +
          `While it runs, use the HTTP commands (routined routines|triggers|runs|agents --url ...) or GET /readyz.`,
      );
    }
    throw new CliError(`cannot open the database (${config.databaseUrl ? "DATABASE_URL" : `data directory ${config.dataDir}`}): ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export function localCommands(program: Command, print: () => Printer): void {
  program
    .command("start")
    .description("run the server (the same as `npm start`); stops gracefully on SIGTERM or SIGINT")
    .action(async () => {
      await import("../../main");
      await new Promise(() => {}); // runs until a signal stops the process
    });

  program
    .command("migrate")
    .description("apply database migrations and exit (the server also applies them at start)")
    .action(async () => {
      const { migrate } = await import("../../store/migrate");
      const applied = await withStore("migrate", (s) => migrate(s.db));
      print().out({ applied }, ({ applied: a }) => (a.length ? `applied: ${a.join(", ")}` : "database is up to date"));
    });

  program
    .command("doctor")
    .description("check the configuration, the database, its migrations and the clock skew between this host and the database")
    .action(async () => {
      const checks: { check: string; ok: boolean; detail: string }[] = [];
      const { loadConfig, ConfigError } = await import("../../config");
      let config;
      try {
        config = loadConfig();
        checks.push({ check: "configuration", ok: true, detail: `${config.deploymentMode}, ${config.databaseUrl ? "PostgreSQL (DATABASE_URL)" : `embedded PGlite in ${config.dataDir}`}` });
      } catch (err) {
        checks.push({ check: "configuration", ok: false, detail: err instanceof ConfigError ? err.message : String(err) });
      }
      if (config) {
        try {
          const [{ dbNow }, { listMigrations }, { opsStatsRepo }] = await Promise.all([
            import("../../store/db"),
            import("../../store/migrate"),
            import("../../store/repos/ops-stats"),
          ]);
          await withStore("doctor", async (store) => {
            const before = Date.now();
            const dbTime = await dbNow(store.db);
            const skewMs = dbTime.getTime() - (before + Date.now()) / 2;
            checks.push({ check: "database", ok: true, detail: `reachable (${store.engine})` });
            const applied = new Set(await opsStatsRepo.appliedMigrations(store.db));
            const missing = listMigrations().filter((m) => !applied.has(m.tag)).map((m) => m.tag);
            checks.push({
              check: "migrations",
              ok: missing.length === 0,
              detail: missing.length ? `not applied: ${missing.join(", ")} (run \`routined migrate\`)` : `${applied.size} applied`,
            });
            checks.push({
              check: "clock skew",
              ok: Math.abs(skewMs) < 2_000,
              detail: `${Math.round(skewMs)} ms (database minus host)${Math.abs(skewMs) >= 2_000 ? ": sync the clocks (NTP); schedules follow the database clock" : ""}`,
            });
          });
        } catch (err) {
          checks.push({ check: "database", ok: false, detail: err instanceof Error ? err.message : String(err) });
        }
      }
      const ok = checks.every((c) => c.ok);
      print().out({ ok, checks }, ({ checks: c }) => table(c, [["CHECK", (x) => x.check], ["OK", (x) => (x.ok ? "ok" : "FAIL")], ["DETAIL", (x) => x.detail]]));
      if (!ok) throw new CliError("doctor found problems (above)", 1);
    });

  const tokens = program.command("board-tokens").description("board bearer tokens for `authenticated` mode (on the database directly)");
  tokens
    .command("create")
    .description("create a board token (printed once)")
    .option("--name <name>", "a name to recognise it by")
    .action(async (o: { name?: string }) => {
      const [{ BOARD_TOKEN_PREFIX, displayPrefix, generateToken, hashToken }, { credentialsRepo }] = await Promise.all([
        import("../../domain/tokens"),
        import("../../store/repos/credentials"),
      ]);
      const token = generateToken(BOARD_TOKEN_PREFIX);
      const row = await withStore("board-tokens create", (s) =>
        credentialsRepo.insertBoardToken(s.db, { name: o.name ?? null, tokenPrefix: displayPrefix(token), tokenHash: hashToken(token) }),
      );
      print().out({ id: row.id, name: row.name, prefix: row.tokenPrefix, token }, (t) => t.token);
      print().note("Board token created. It is shown only this once: store it now.");
    });
  tokens
    .command("list")
    .description("list board tokens (never the tokens themselves)")
    .action(async () => {
      const { credentialsRepo } = await import("../../store/repos/credentials");
      const rows = await withStore("board-tokens list", (s) => credentialsRepo.listBoardTokens(s.db));
      const out = rows.map((r) => ({ id: r.id, name: r.name, prefix: r.tokenPrefix, createdAt: r.createdAt, lastUsedAt: r.lastUsedAt, revokedAt: r.revokedAt }));
      print().out(out, (r) =>
        table(r, [["ID", (t) => t.id], ["NAME", (t) => t.name], ["PREFIX", (t) => t.prefix], ["CREATED", (t) => t.createdAt], ["LAST USED", (t) => t.lastUsedAt], ["REVOKED", (t) => t.revokedAt]]),
      );
    });
  tokens
    .command("revoke <idOrPrefix>")
    .description("revoke a board token by its id or displayed prefix")
    .action(async (idOrPrefix: string) => {
      const { credentialsRepo } = await import("../../store/repos/credentials");
      const row = await withStore("board-tokens revoke", (s) => credentialsRepo.revokeBoardToken(s.db, idOrPrefix));
      if (!row) throw new CliError(`no board token with id or prefix ${idOrPrefix} (see \`routined board-tokens list\`)`);
      print().out({ id: row.id, prefix: row.tokenPrefix, revokedAt: row.revokedAt }, (r) => `revoked board token ${r.prefix} (${r.id})`);
    });

  const cron = program.command("cron").description("cron expressions, offline");
  cron
    .command("next <expression>")
    .description("describe a cron expression and list its next occurrences in a time zone")
    .option("--tz <zone>", "IANA time zone", "UTC")
    .option("--from <date>", "start after this ISO date/time (default: now)")
    .addOption(new Option("--count <n>", "how many occurrences (1-100)").default("10"))
    .action(async (expression: string, o: { tz: string; from?: string; count: string }) => {
      const [{ describeCron }, { previewOccurrences }, { isAppError }] = await Promise.all([
        import("../../domain/cron"),
        import("../../domain/cron-preview"),
        import("../../domain/errors"),
      ]);
      const count = Number(o.count);
      if (!Number.isInteger(count) || count < 1 || count > 100) throw new CliError("--count must be a whole number from 1 to 100");
      const from = o.from ? new Date(o.from) : new Date();
      if (Number.isNaN(from.getTime())) throw new CliError(`--from ${o.from} is not a date: use ISO 8601, e.g. 2026-03-29T00:00:00Z`);
      try {
        const occurrences = previewOccurrences(expression, o.tz, from, count);
        const out = {
          expression,
          timezone: o.tz,
          description: describeCron(expression),
          occurrences: occurrences.map((x) => ({ at: x.at.toISOString(), local: x.local, ...(x.note ? { note: x.note } : {}) })),
        };
        print().out(out, (d) => `${d.description}\n${table(d.occurrences, [["UTC", (x) => x.at], ["LOCAL", (x) => x.local], ["NOTE", (x) => x.note ?? ""]])}`);
      } catch (err) {
        if (isAppError(err)) {
          const details = (err as { details?: unknown }).details;
          throw new CliError(`${err.message}${details ? `\n${JSON.stringify(details, null, 2)}` : ""}`);
        }
        throw err;
      }
    });
}
