/**
 * The commands that talk to a running server over HTTP: companies, agents (+ keys), routines,
 * triggers, runs, deliveries (heartbeat runs and their attempts). Each prints a table, or the API's JSON with `--json`.
 */
import { type Command, Option } from "commander";
import { type Connection, call, connect } from "../client";
import { CliError, type Column, type Printer, record, table } from "../output";

export interface Context {
  conn(): Connection;
  print(): Printer;
}

type Row = Record<string, any>;

const companyColumns: Column<Row>[] = [["ID", (c) => c.id], ["NAME", (c) => c.name], ["PREFIX", (c) => c.issuePrefix], ["CREATED", (c) => c.createdAt]];
const agentColumns: Column<Row>[] = [["ID", (a) => a.id], ["NAME", (a) => a.name], ["ADAPTER", (a) => a.adapterType], ["STATUS", (a) => a.status]];
const routineColumns: Column<Row>[] = [
  ["ID", (r) => r.id],
  ["TITLE", (r) => r.title],
  ["STATUS", (r) => r.status],
  ["POLICY", (r) => r.concurrencyPolicy],
  ["ASSIGNEE", (r) => r.assigneeAgentId],
  ["LAST TRIGGERED", (r) => r.lastTriggeredAt],
];
const triggerColumns: Column<Row>[] = [
  ["ID", (t) => t.id],
  ["KIND", (t) => t.kind],
  ["ENABLED", (t) => t.enabled],
  ["SCHEDULE", (t) => (t.cronExpression ? `${t.cronExpression} (${t.timezone})` : t.signingMode)],
  ["NEXT RUN", (t) => t.nextRunAt],
  ["LAST RESULT", (t) => t.lastResult],
];
const runColumns: Column<Row>[] = [
  ["ID", (r) => r.id],
  ["SOURCE", (r) => r.source],
  ["STATUS", (r) => r.status],
  ["TRIGGERED", (r) => r.triggeredAt],
  ["SCHEDULED FOR", (r) => r.scheduledFor],
  ["ISSUE", (r) => r.linkedIssue?.identifier ?? r.linkedIssueId],
  ["REASON", (r) => r.failureReason],
];
const deliveryColumns: Column<Row>[] = [
  ["ID", (h) => h.id],
  ["STATUS", (h) => h.status],
  ["ATTEMPT", (h) => `${h.attempt}/${h.maxAttempts}`],
  ["ROUTINE RUN", (h) => h.routineRunId],
  ["RUN AFTER", (h) => h.runAfter],
  ["FINISHED", (h) => h.finishedAt],
  ["ERROR", (h) => h.error],
];
const attemptColumns: Column<Row>[] = [
  ["ATTEMPT", (a) => a.attempt],
  ["STARTED", (a) => a.startedAt],
  ["FINISHED", (a) => a.finishedAt],
  ["ADAPTER", (a) => a.adapterType],
  ["OUTCOME", (a) => a.outcome],
  ["CODE", (a) => a.code],
  ["ERROR", (a) => a.error],
];

function limitOf(value: string, most: number): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > most) throw new CliError(`--limit must be a whole number from 1 to ${most}`);
  return limit;
}

function json(value: string | undefined, flag: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    /* below */
  }
  throw new CliError(`${flag} must be a JSON object, e.g. ${flag} '{"key":"value"}'`);
}

function bool(value: string, flag: string): boolean {
  if (["true", "yes", "on", "1"].includes(value)) return true;
  if (["false", "no", "off", "0"].includes(value)) return false;
  throw new CliError(`${flag} must be true or false`);
}

const withoutUndefined = <T extends Record<string, unknown>>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function resourceCommands(program: Command, ctx: Context): void {
  const api = () => connect(ctx.conn());
  const run = <T>(request: Promise<{ data?: T; error?: unknown; response: Response }>) => call(ctx.conn(), request);

  // companies
  const companies = program.command("companies").description("list or create companies");
  companies
    .command("list", { isDefault: true })
    .description("list companies")
    .action(async () => {
      const rows = await run(api().GET("/api/companies"));
      ctx.print().out(rows, (r) => table(r as Row[], companyColumns));
    });
  companies
    .command("create")
    .description("create a company")
    .requiredOption("--name <name>", "company name")
    .option("--prefix <prefix>", "issue identifier prefix, e.g. ACME")
    .action(async (o: { name: string; prefix?: string }) => {
      const body = withoutUndefined({ name: o.name, issuePrefix: o.prefix });
      const created = await run(api().POST("/api/companies", { body: body as never }));
      ctx.print().out(created, (c) => record(c as Row));
    });

  // agents
  const agents = program.command("agents").description("list, create and inspect agents; manage their API keys");
  agents
    .command("list")
    .description("list the agents of a company")
    .requiredOption("--company <id>", "company id")
    .action(async (o: { company: string }) => {
      const rows = await run(api().GET("/api/companies/{companyId}/agents", { params: { path: { companyId: o.company } } }));
      ctx.print().out(rows, (r) => table(r as Row[], agentColumns));
    });
  agents
    .command("get <agentId>")
    .description("show one agent")
    .action(async (agentId: string) => {
      const agent = await run(api().GET("/api/agents/{agentId}", { params: { path: { agentId } } }));
      ctx.print().out(agent, (a) => record(a as Row));
    });
  agents
    .command("create")
    .description("create an agent (http agents get a delivery signing secret, shown once)")
    .requiredOption("--company <id>", "company id")
    .requiredOption("--name <name>", "agent name")
    .addOption(new Option("--adapter <type>", "how it is woken").choices(["poll", "http", "process"]).default("poll"))
    .option("--config <json>", "adapter configuration as JSON, e.g. '{\"url\":\"https://agent.example/hook\"}'")
    .action(async (o: { company: string; name: string; adapter: string; config?: string }) => {
      const body = { name: o.name, adapterType: o.adapter, adapterConfig: json(o.config, "--config") ?? {} };
      const created = await run(api().POST("/api/companies/{companyId}/agents", { params: { path: { companyId: o.company } }, body: body as never }));
      ctx.print().out(created, (a) => record(a as Row));
      if ((created as Row).deliverySecret) ctx.print().note("The delivery secret is shown only this once: store it now.");
    });
  const keys = agents.command("keys").description("create or revoke an agent's API keys");
  keys
    .command("create <agentId>")
    .description("create an API key for an agent (printed once)")
    .option("--name <name>", "a name to recognise the key by")
    .action(async (agentId: string, o: { name?: string }) => {
      const created = await run(api().POST("/api/agents/{agentId}/keys", { params: { path: { agentId } }, body: withoutUndefined({ name: o.name }) as never }));
      ctx.print().out(created, (k) => (k as Row).key as string);
      if (!ctx.print().json) ctx.print().note("Agent key created. It is shown only this once: store it now.");
    });
  keys
    .command("list <agentId>")
    .description("list an agent's API keys (never the keys themselves)")
    .action(async (agentId: string) => {
      const rows = await run(api().GET("/api/agents/{agentId}/keys", { params: { path: { agentId } } }));
      ctx.print().out(rows, (r) =>
        table(r as Row[], [["ID", (k) => k.id], ["NAME", (k) => k.name], ["PREFIX", (k) => k.keyPrefix], ["LAST USED", (k) => k.lastUsedAt], ["REVOKED", (k) => k.revokedAt]]),
      );
    });
  keys
    .command("revoke <agentId> <keyId>")
    .description("revoke an agent API key")
    .action(async (agentId: string, keyId: string) => {
      const revoked = await run(api().DELETE("/api/agents/{agentId}/keys/{keyId}", { params: { path: { agentId, keyId } } }));
      ctx.print().out(revoked ?? { id: keyId, revoked: true }, () => `revoked key ${keyId}`);
    });

  // routines
  const routines = program.command("routines").description("list, inspect, create, pause, resume, archive and run routines");
  routines
    .command("list")
    .description("list the routines of a company")
    .requiredOption("--company <id>", "company id")
    .addOption(new Option("--status <status>", "only routines in this status").choices(["active", "paused", "archived"]))
    .option("--agent <id>", "only routines assigned to this agent")
    .action(async (o: { company: string; status?: string; agent?: string }) => {
      const query = withoutUndefined({ status: o.status, assigneeAgentId: o.agent });
      const rows = await run(api().GET("/api/companies/{companyId}/routines", { params: { path: { companyId: o.company }, query: query as never } }));
      ctx.print().out(rows, (r) => table(r as Row[], routineColumns));
    });
  routines
    .command("get <routineId>")
    .description("show a routine with its triggers and recent runs")
    .action(async (routineId: string) => {
      const routine = (await run(api().GET("/api/routines/{routineId}", { params: { path: { routineId } } }))) as Row;
      ctx.print().out(routine, (r) => {
        const { triggers, recentRuns, activeIssue, ...rest } = r;
        return [
          record(rest),
          "",
          "triggers:",
          table((triggers ?? []) as Row[], triggerColumns),
          "",
          "recent runs:",
          table((recentRuns ?? []) as Row[], runColumns),
        ].join("\n");
      });
    });
  routines
    .command("create")
    .description("create a routine")
    .requiredOption("--company <id>", "company id")
    .requiredOption("--title <title>", "what the routine does")
    .requiredOption("--agent <id>", "the agent it is assigned to")
    .requiredOption("--project <id>", "the project its issues belong to")
    .option("--description <text>", "longer description")
    .addOption(new Option("--concurrency <policy>", "when its previous execution is still open").choices(["coalesce_if_active", "skip_if_active", "always_enqueue"]))
    .addOption(new Option("--catch-up <policy>", "missed occurrences after downtime").choices(["skip_missed", "enqueue_missed_with_cap"]))
    .addOption(new Option("--priority <priority>", "priority of its issues").choices(["critical", "high", "medium", "low"]))
    .action(async (o: { company: string; title: string; agent: string; project: string; description?: string; concurrency?: string; catchUp?: string; priority?: string }) => {
      const body = withoutUndefined({
        title: o.title,
        assigneeAgentId: o.agent,
        projectId: o.project,
        description: o.description,
        concurrencyPolicy: o.concurrency,
        catchUpPolicy: o.catchUp,
        priority: o.priority,
      });
      const created = await run(api().POST("/api/companies/{companyId}/routines", { params: { path: { companyId: o.company } }, body: body as never }));
      ctx.print().out(created, (r) => record(r as Row));
    });
  for (const [name, status, what] of [
    ["pause", "paused", "pause a routine (its schedules and webhooks stop firing)"],
    ["resume", "active", "resume a paused routine (it schedules from now: nothing bursts)"],
    ["archive", "archived", "archive a routine (it never fires again)"],
  ] as const) {
    routines
      .command(`${name} <routineId>`)
      .description(what)
      .action(async (routineId: string) => {
        const updated = await run(api().PATCH("/api/routines/{routineId}", { params: { path: { routineId } }, body: { status } as never }));
        ctx.print().out(updated, (r) => `${(r as Row).title}: ${(r as Row).status}`);
      });
  }
  routines
    .command("run <routineId>")
    .description("fire a routine now")
    .option("--payload <json>", "payload as a JSON object")
    .option("--idempotency-key <key>", "a repeated key answers the first run instead of firing again")
    .action(async (routineId: string, o: { payload?: string; idempotencyKey?: string }) => {
      const body = withoutUndefined({ payload: json(o.payload, "--payload"), idempotencyKey: o.idempotencyKey });
      const fired = await run(api().POST("/api/routines/{routineId}/run", { params: { path: { routineId } }, body: body as never }));
      ctx.print().out(fired, (r) => record(r as Row));
    });

  // triggers
  const triggers = program.command("triggers").description("add, update, delete triggers and rotate webhook secrets");
  triggers
    .command("add <routineId>")
    .description("add a trigger: a cron schedule, a signed webhook, or an API trigger")
    .addOption(new Option("--kind <kind>", "trigger kind").choices(["schedule", "webhook", "api"]).makeOptionMandatory())
    .option("--cron <expression>", "schedule: cron expression, e.g. '0 9 * * 1'")
    .option("--tz <zone>", "schedule: IANA time zone", "UTC")
    .addOption(new Option("--signing-mode <mode>", "webhook: how requests are signed").choices(["bearer", "hmac_sha256", "github_hmac", "standard_webhooks"]))
    .option("--label <label>", "a label")
    .option("--disabled", "create it disabled")
    .action(async (routineId: string, o: { kind: string; cron?: string; tz: string; signingMode?: string; label?: string; disabled?: boolean }) => {
      if (o.kind === "schedule" && !o.cron) throw new CliError("a schedule trigger needs --cron '<expression>' (preview it with `routined cron next`)");
      const body = withoutUndefined({
        kind: o.kind,
        label: o.label,
        enabled: o.disabled ? false : undefined,
        ...(o.kind === "schedule" ? { cronExpression: o.cron, timezone: o.tz } : {}),
        ...(o.kind === "webhook" ? { signingMode: o.signingMode } : {}),
      });
      const created = (await run(api().POST("/api/routines/{routineId}/triggers", { params: { path: { routineId } }, body: body as never }))) as Row;
      ctx.print().out(created, (c) => {
        const lines = [record(c.trigger as Row)];
        if (c.secretMaterial) lines.push("", `webhook URL:    ${c.secretMaterial.webhookUrl}`, `webhook secret: ${c.secretMaterial.webhookSecret}`);
        return lines.join("\n");
      });
      if (created.secretMaterial && !ctx.print().json) ctx.print().note("The webhook secret is shown only this once: store it now.");
    });
  triggers
    .command("update <triggerId>")
    .description("change a trigger's schedule, label, signing mode or enabled state")
    .option("--cron <expression>", "new cron expression")
    .option("--tz <zone>", "new IANA time zone")
    .option("--label <label>", "new label")
    .option("--enabled <bool>", "true or false")
    .addOption(new Option("--signing-mode <mode>", "webhook signing mode").choices(["bearer", "hmac_sha256", "github_hmac", "standard_webhooks"]))
    .action(async (triggerId: string, o: { cron?: string; tz?: string; label?: string; enabled?: string; signingMode?: string }) => {
      const body = withoutUndefined({
        cronExpression: o.cron,
        timezone: o.tz,
        label: o.label,
        enabled: o.enabled === undefined ? undefined : bool(o.enabled, "--enabled"),
        signingMode: o.signingMode,
      });
      if (Object.keys(body).length === 0) throw new CliError("nothing to update: pass --cron, --tz, --label, --enabled or --signing-mode");
      const updated = await run(api().PATCH("/api/routine-triggers/{triggerId}", { params: { path: { triggerId } }, body: body as never }));
      ctx.print().out(updated, (t) => record(t as Row));
    });
  triggers
    .command("delete <triggerId>")
    .description("delete a trigger")
    .action(async (triggerId: string) => {
      await run(api().DELETE("/api/routine-triggers/{triggerId}", { params: { path: { triggerId } } }));
      ctx.print().out({ id: triggerId, deleted: true }, () => `deleted trigger ${triggerId}`);
    });
  triggers
    .command("rotate <triggerId>")
    .description("rotate a webhook trigger's secret (the new one is printed once)")
    .action(async (triggerId: string) => {
      const rotated = (await run(api().POST("/api/routine-triggers/{triggerId}/rotate-secret", { params: { path: { triggerId } }, body: {} as never }))) as Row;
      ctx.print().out(rotated, (r) => `webhook URL:    ${r.secretMaterial?.webhookUrl}\nwebhook secret: ${r.secretMaterial?.webhookSecret}`);
      if (!ctx.print().json) ctx.print().note("The new secret is shown only this once; the old one no longer works.");
    });

  // runs
  const runs = program.command("runs").description("a routine's run history");
  runs
    .command("list <routineId>")
    .description("list a routine's runs, newest first")
    .addOption(new Option("--status <status>", "only runs in this status").choices(["received", "issue_created", "coalesced", "skipped", "completed", "failed"]))
    .option("--limit <n>", "how many (1-200)", "50")
    .action(async (routineId: string, o: { status?: string; limit: string }) => {
      const query = withoutUndefined({ status: o.status, limit: limitOf(o.limit, 200) });
      const rows = await run(api().GET("/api/routines/{routineId}/runs", { params: { path: { routineId }, query: query as never } }));
      ctx.print().out(rows, (r) => table(r as Row[], runColumns));
    });

  // deliveries: an agent's heartbeat runs, the attempts of one, and the board's retry of a failed one
  const deliveries = program.command("deliveries").description("an agent's heartbeat runs (deliveries), their attempts, and retrying a failed one");
  deliveries
    .command("list <agentId>")
    .description("list an agent's heartbeat runs, newest first")
    .addOption(new Option("--status <status>", "only runs in this status").choices(["queued", "running", "scheduled_retry", "succeeded", "failed", "cancelled", "timed_out"]))
    .option("--routine-run <routineRunId>", "only the deliveries of this routine run")
    .option("--limit <n>", "how many (1-200)", "50")
    .action(async (agentId: string, o: { status?: string; routineRun?: string; limit: string }) => {
      const query = withoutUndefined({ status: o.status, routineRunId: o.routineRun, limit: limitOf(o.limit, 200) });
      const rows = await run(api().GET("/api/agents/{agentId}/heartbeat-runs", { params: { path: { agentId }, query: query as never } }));
      ctx.print().out(rows, (r) => table(r as Row[], deliveryColumns));
    });
  deliveries
    .command("attempts <heartbeatRunId>")
    .description("list a heartbeat run's delivery attempts, oldest first: when, adapter, outcome, HTTP status or exit code, error")
    .option("--limit <n>", "how many (1-200)", "50")
    .action(async (heartbeatRunId: string, o: { limit: string }) => {
      const query = { limit: limitOf(o.limit, 200) };
      const rows = await run(api().GET("/api/heartbeat-runs/{heartbeatRunId}/attempts", { params: { path: { heartbeatRunId }, query } }));
      ctx.print().out(rows, (r) => table(r as Row[], attemptColumns));
    });
  deliveries
    .command("retry <heartbeatRunId>")
    .description("deliver a failed or timed-out heartbeat run again (a new run with fresh attempts; board only)")
    .action(async (heartbeatRunId: string) => {
      const created = await run(api().POST("/api/heartbeat-runs/{heartbeatRunId}/retry", { params: { path: { heartbeatRunId } } }));
      ctx.print().out(created, (h) => record(h as Row));
    });
}
