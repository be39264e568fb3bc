/**
 * What happened, and going back: a routine's revisions (and restoring one), and a company's activity log (who did
 * what, newest first). Each prints a table, or the API's JSON with `--json`.
 */
import { type Command, Option } from "commander";
import { call, connect } from "../client";
import { CliError, type Column, table } from "../output";
import type { Context } from "./resources";

type Row = Record<string, any>;

const revisionColumns: Column<Row>[] = [
  ["REV", (r) => r.revisionNumber],
  ["ID", (r) => r.id],
  ["SUMMARY", (r) => r.changeSummary],
  ["BY", (r) => r.createdByAgentId ?? r.createdByUserId],
  ["CREATED", (r) => r.createdAt],
];
const activityColumns: Column<Row>[] = [
  ["WHEN", (a) => a.createdAt],
  ["ACTOR", (a) => (a.actorType === "agent" ? `agent ${a.actorId}` : a.actorType === "user" ? a.actorId : "routined")],
  ["ACTION", (a) => a.action],
  ["ENTITY", (a) => `${a.entityType} ${a.entityId}`],
  ["RUN", (a) => a.runId],
  ["ID", (a) => a.id],
];

const ENTITY_TYPES = ["routine", "routine_trigger", "routine_run", "issue", "issue_comment", "project"];
const ACTOR_TYPES = ["user", "agent", "system"];

function limitOf(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new CliError("--limit must be a whole number from 1 to 200");
  return limit;
}

export function historyCommands(program: Command, ctx: Context): void {
  const api = () => connect(ctx.conn());
  const run = <T>(request: Promise<{ data?: T; error?: unknown; response: Response }>) => call(ctx.conn(), request);

  const revisions = program.command("revisions").description("a routine's revisions (one per change of it or its triggers), and restoring one");
  revisions
    .command("list <routineId>")
    .description("list a routine's revisions, newest first")
    .action(async (routineId: string) => {
      const rows = await run(api().GET("/api/routines/{routineId}/revisions", { params: { path: { routineId } } }));
      ctx.print().out(rows, (r) => table(r as Row[], revisionColumns));
    });
  revisions
    .command("restore <routineId> <revisionId>")
    .description("put a routine and its triggers back as a revision recorded them (as a new revision)")
    .option("--summary <text>", 'why, recorded as the new revision\'s change summary (default "Restored from revision N")')
    .action(async (routineId: string, revisionId: string, o: { summary?: string }) => {
      const restored = (await run(
        api().POST("/api/routines/{routineId}/revisions/{revisionId}/restore", {
          params: { path: { routineId, revisionId } },
          body: (o.summary === undefined ? {} : { changeSummary: o.summary }) as never,
        }),
      )) as Row;
      ctx.print().out(restored, (r) =>
        [
          `restored revision ${r.restoredFromRevisionNumber}: now revision ${r.revision.revisionNumber} (${r.revision.changeSummary})`,
          ...(r.secretMaterials as Row[]).map((m) => `re-created webhook ${m.triggerId}: URL ${m.webhookUrl}, secret ${m.webhookSecret}`),
        ].join("\n"),
      );
      if (!ctx.print().json && restored.secretMaterials.length > 0) ctx.print().note("The new webhook secrets are shown only this once.");
    });

  const activity = program.command("activity").description("a company's activity log: who did what, newest first");
  activity
    .command("list", { isDefault: true })
    .description("list activity entries, newest first (page with --before <id of the last one shown>)")
    .requiredOption("--company <id>", "company id")
    .option("--routine <id>", "only entries about this routine, its triggers and its runs")
    .option("--entity <id>", "only entries about this routine, trigger, run, issue…")
    .addOption(new Option("--entity-type <type>", "only entries about this kind of entity").choices(ENTITY_TYPES))
    .addOption(new Option("--actor-type <type>", "only entries by the board (user), an agent, or routined itself (system)").choices(ACTOR_TYPES))
    .option("--agent <id>", "only entries by this agent")
    .option("--action <action>", "only this action, e.g. routine.updated")
    .option("--since <time>", "only entries at or after this ISO 8601 time")
    .option("--before <id>", "the entries after this one (the next page)")
    .option("--limit <n>", "how many (1-200)", "50")
    .action(
      async (o: { company: string; routine?: string; entity?: string; entityType?: string; actorType?: string; agent?: string; action?: string; since?: string; before?: string; limit: string }) => {
        const query = Object.fromEntries(
          Object.entries({
            routineId: o.routine,
            entityId: o.entity,
            entityType: o.entityType,
            actorType: o.actorType,
            agentId: o.agent,
            action: o.action,
            since: o.since,
            before: o.before,
            limit: limitOf(o.limit),
          }).filter(([, v]) => v !== undefined),
        );
        const rows = await run(api().GET("/api/companies/{companyId}/activity", { params: { path: { companyId: o.company }, query: query as never } }));
        ctx.print().out(rows, (r) => table(r as Row[], activityColumns));
      },
    );
}
