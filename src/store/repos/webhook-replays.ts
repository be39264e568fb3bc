/** Webhook triggers by public id, and the fingerprints of accepted deliveries (replay protection). */
import { sql } from "drizzle-orm";
import type { RoutineStatus } from "../../domain/enums";
import { type Executor, pgArray, queryPrepared, queryRows } from "../db";
import { rowOf } from "../raw-rows";
import { routineTriggers } from "../schema";
import type { TriggerRow } from "./triggers";

/** Expired rows deleted by each claim: more than a claim adds, so the table drains without a sweeper loop. */
const SWEEP_BATCH = 10;

export const webhookReplaysRepo = {
  /** Webhook triggers by public ids, each with its routine's status, in one read (raw SQL: the hot path). */
  async findTargets(db: Executor, publicIds: string[]): Promise<Map<string, { trigger: TriggerRow; routineStatus: RoutineStatus }>> {
    if (publicIds.length === 0) return new Map();
    const rows = await queryPrepared<Record<string, unknown> & { routine_status__: RoutineStatus }>(
      db,
      sql`select t.*, r.status as routine_status__ from routine_triggers t join routines r on r.id = t.routine_id
          where t.public_id = any(${pgArray(publicIds, "text")})`,
    );
    return new Map(rows.map((raw) => {
      const trigger = rowOf(routineTriggers, raw);
      return [trigger.publicId!, { trigger, routineStatus: raw.routine_status__ }];
    }));
  },

  /**
   * Records the fingerprints of an accepted delivery until `now() + retentionSec`: "duplicate" when any of them
   * is already recorded and unexpired (a replay), "gone" when the trigger no longer exists. An expired row still in the table counts as absent and is
   * renewed. The same statement deletes up to SWEEP_BATCH expired rows of any trigger (skipping rows other
   * transactions hold), so the table stays bounded by the deliveries of the last window.
   * Call inside the firing transaction: a rollback forgets the fingerprints again.
   */
  async claim(tx: Executor, triggerId: string, fingerprints: string[], retentionSec: number): Promise<"claimed" | "duplicate" | "gone"> {
    const list = sql.join(fingerprints.map((f) => sql`${f}`), sql`, `);
    const [row] = await queryRows<{ claimed: number; present: boolean }>(
      tx,
      sql`with swept as (
            delete from webhook_replays where (trigger_id, fingerprint) in (
              select trigger_id, fingerprint from webhook_replays
              where expires_at < now() and not (trigger_id = ${triggerId} and fingerprint in (${list}))
              limit ${SWEEP_BATCH} for update skip locked)
          ), claimed as (
            insert into webhook_replays (trigger_id, fingerprint, expires_at)
            select ${triggerId}, f, now() + make_interval(secs => ${retentionSec})
            from unnest(array[${list}]::text[]) as f
            where exists (select 1 from routine_triggers where id = ${triggerId})
            on conflict (trigger_id, fingerprint) do update set expires_at = excluded.expires_at
              where webhook_replays.expires_at < now()
            returning 1
          )
          select (select count(*)::int from claimed) as claimed,
            exists (select 1 from routine_triggers where id = ${triggerId}) as present`,
    );
    if (!row!.present) return "gone";
    return Number(row!.claimed) === fingerprints.length ? "claimed" : "duplicate";
  },
};
