/**
 * Routine runs: the record of every fire and its outcome. Every read renders the run's reason (`runReason`):
 * a run skipped for a busy routine names its linked issue by the identifier that issue has now.
 */
import { and, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { RunStatus } from "../../domain/enums";
import { runReason } from "../../domain/run-reasons";
import type { Executor } from "../db";
import { rowOf } from "../raw-rows";
import { routineRuns } from "../schema";

export type RunRow = typeof routineRuns.$inferSelect;

/** The identifier of a run's linked issue, for its reason: as a column of raw SQL reads (`runFromRaw`). */
export const LINKED_IDENTIFIER = "linked_identifier__";
const linkedIdentifier = sql<string | null>`(select i.identifier from issues i where i.id = ${routineRuns.linkedIssueId})`;
const READ = { run: routineRuns, linkedIdentifier };
const rendered = ({ run, linkedIdentifier }: { run: RunRow; linkedIdentifier: string | null }): RunRow => ({
  ...run,
  failureReason: runReason(run, linkedIdentifier),
});

/** A run of raw SQL (`returning *`, `json_agg`) with its `LINKED_IDENTIFIER` column, as every read gives it. */
export function runFromRaw(raw: Record<string, unknown>): RunRow {
  return rendered({ run: rowOf(routineRuns, raw), linkedIdentifier: (raw[LINKED_IDENTIFIER] as string | null) ?? null });
}

export const runsRepo = {
  async findByIdempotencyKey(db: Executor, routineId: string, triggerId: string | null, key: string) {
    const [row] = await db
      .select(READ)
      .from(routineRuns)
      .where(
        and(
          eq(routineRuns.routineId, routineId),
          triggerId ? eq(routineRuns.triggerId, triggerId) : isNull(routineRuns.triggerId),
          eq(routineRuns.idempotencyKey, key),
        ),
      );
    return row && rendered(row);
  },
  /** The runs already recorded for any of a schedule trigger's `slots`, by slot time (ms). */
  async findBySlots(db: Executor, triggerId: string, slots: Date[]): Promise<Map<number, RunRow>> {
    if (slots.length === 0) return new Map();
    const rows = await db
      .select(READ)
      .from(routineRuns)
      .where(and(eq(routineRuns.triggerId, triggerId), inArray(routineRuns.scheduledFor, slots)));
    return new Map(rows.map((r) => [r.run.scheduledFor!.getTime(), rendered(r)]));
  },
  async get(db: Executor, id: string): Promise<RunRow | undefined> {
    const [row] = await db.select(READ).from(routineRuns).where(eq(routineRuns.id, id));
    return row && rendered(row);
  },
  /** Newest first; `before` is a cursor of (createdAt, id) from the previous page. */
  async listByRoutine(
    db: Executor,
    routineId: string,
    opts: { limit: number; status?: RunStatus; before?: { createdAt: Date; id: string } },
  ): Promise<RunRow[]> {
    const { before } = opts;
    const rows = await db
      .select(READ)
      .from(routineRuns)
      .where(
        and(
          eq(routineRuns.routineId, routineId),
          opts.status ? eq(routineRuns.status, opts.status) : undefined,
          before
            ? or(
                lt(routineRuns.createdAt, before.createdAt),
                and(eq(routineRuns.createdAt, before.createdAt), lt(routineRuns.id, before.id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(routineRuns.createdAt), desc(routineRuns.id))
      .limit(opts.limit);
    return rows.map(rendered);
  },
  /** The newest run of each routine. */
  async lastRuns(db: Executor, routineIds: string[]): Promise<Map<string, RunRow>> {
    if (routineIds.length === 0) return new Map();
    const rows = await db
      .selectDistinctOn([routineRuns.routineId], READ)
      .from(routineRuns)
      .where(inArray(routineRuns.routineId, routineIds))
      .orderBy(routineRuns.routineId, desc(routineRuns.createdAt), desc(routineRuns.id));
    return new Map(rows.map((r) => [r.run.routineId, rendered(r)]));
  },
};
