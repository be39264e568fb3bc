/** The activity log: who did what, for the audit trail and the activity gate. */
import { and, asc, desc, eq, gt, lt, ne, or, sql } from "drizzle-orm";
import { type Executor, pgArray, queryRows } from "../db";
import { activityLog } from "../schema";

export type ActivityRow = typeof activityLog.$inferSelect;
export type ActivityInsert = typeof activityLog.$inferInsert;

export interface ActivityFilter {
  actorType?: string;
  actorId?: string;
  agentId?: string;
  entityType?: string;
  entityId?: string;
  action?: string;
  projectId?: string;
  since?: Date;
  before?: { createdAt: Date; id: string };
  limit: number;
}

export const activityRepo = {
  async insert(db: Executor, rows: ActivityInsert[]): Promise<void> {
    if (rows.length) await db.insert(activityLog).values(rows);
  },
  async get(db: Executor, id: string): Promise<ActivityRow | undefined> {
    const [row] = await db.select().from(activityLog).where(eq(activityLog.id, id));
    return row;
  },
  /** Newest first; `before` is the (createdAt, id) of the last row of the previous page. */
  async list(db: Executor, companyId: string, f: ActivityFilter): Promise<ActivityRow[]> {
    return db
      .select()
      .from(activityLog)
      .where(
        and(
          eq(activityLog.companyId, companyId),
          f.actorType ? eq(activityLog.actorType, f.actorType as ActivityRow["actorType"]) : undefined,
          f.actorId ? eq(activityLog.actorId, f.actorId) : undefined,
          f.agentId ? eq(activityLog.agentId, f.agentId) : undefined,
          f.entityType ? eq(activityLog.entityType, f.entityType) : undefined,
          f.entityId ? eq(activityLog.entityId, f.entityId) : undefined,
          f.action ? eq(activityLog.action, f.action) : undefined,
          f.projectId ? eq(activityLog.projectId, f.projectId) : undefined,
          f.since ? gt(activityLog.createdAt, f.since) : undefined,
          f.before
            ? or(lt(activityLog.createdAt, f.before.createdAt), and(eq(activityLog.createdAt, f.before.createdAt), lt(activityLog.id, f.before.id)))
            : undefined,
        ),
      )
      .orderBy(desc(activityLog.createdAt), desc(activityLog.id))
      .limit(f.limit);
  },

  /**
   * The activity gate's facts of several routines in one statement: each routine's project (when its gate is
   * scoped to it), when its last dispatched run (not skipped or coalesced) was triggered, and the first
   * activity in scope since then by anyone but its agent and routined itself (`firstOutside`, per routine).
   */
  async gateFacts(db: Executor, routineIds: string[]): Promise<Map<string, GateFacts>> {
    if (routineIds.length === 0) return new Map();
    const rows = await queryRows<{ routine_id: string; project_id: string | null; project_name: string | null; last_at: Date | string | null; first_at: Date | string | null }>(
      db,
      sql`select r.id as routine_id, p.id as project_id, p.name as project_name, ld.at as last_at,
                 (select min(a.created_at) from activity_log a
                   where a.company_id = r.company_id and a.created_at > ld.at and a.actor_type <> 'system'
                     and (r.activity_gate_scope <> 'project' or a.project_id = r.project_id)
                     and (r.assignee_agent_id is null or a.agent_id is distinct from r.assignee_agent_id)) as first_at
            from routines r
            left join projects p on p.id = r.project_id and r.activity_gate_scope = 'project'
            left join lateral (select max(rr.triggered_at) as at from routine_runs rr
                                where rr.routine_id = r.id and rr.status not in ('skipped', 'coalesced')) ld on true
           where r.id = any(${pgArray(routineIds, "uuid")})`,
    );
    const at = (v: Date | string | null) => (v === null ? null : new Date(v));
    return new Map(rows.map((r) => [r.routine_id, {
      project: r.project_id ? { id: r.project_id, name: r.project_name! } : null,
      lastDispatchedAt: at(r.last_at),
      firstOutsideActivityAt: at(r.first_at),
    }]));
  },
};

export interface GateFacts {
  project: { id: string; name: string } | null;
  lastDispatchedAt: Date | null;
  firstOutsideActivityAt: Date | null;
}
