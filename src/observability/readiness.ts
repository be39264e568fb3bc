/**
 * Readiness: the database answers, every migration this code knows is applied, and this process's
 * scheduler and dispatcher loops (those it runs) have completed a cycle recently.
 */
import type { Db } from "../store/db";
import { listMigrations } from "../store/migrate";
import { opsStatsRepo } from "../store/repos/ops-stats";

export interface LoopProbe {
  /** When the loop last completed a cycle (ms since epoch), undefined before its first. */
  lastCycleAt(): number | undefined;
  /** Longer than this since the last cycle is "not ready" (its longest sleep plus a margin). */
  staleAfterMs: number;
}

export interface ReadinessCheck {
  ok: boolean;
  detail?: string;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, ReadinessCheck>;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function createReadinessProbe(opts: {
  db: Db;
  loops?: Record<string, LoopProbe | undefined>;
  /** Whether NOTIFYs reach this process (`Store.listenerUp`): false while the LISTEN connection is re-established. */
  listenerUp?: () => boolean;
  timeoutMs?: number;
  now?: () => number;
}) {
  const expected = listMigrations().map((m) => m.tag);
  const now = opts.now ?? Date.now;
  return async function check(): Promise<Readiness> {
    const checks: Record<string, ReadinessCheck> = {};
    try {
      const applied = new Set(await withTimeout(opsStatsRepo.appliedMigrations(opts.db), opts.timeoutMs ?? 2_000));
      checks.database = { ok: true };
      const missing = expected.filter((tag) => !applied.has(tag));
      checks.migrations = missing.length
        ? { ok: false, detail: `not applied: ${missing.join(", ")} (run \`routined migrate\` or restart)` }
        : { ok: true };
    } catch (err) {
      checks.database = { ok: false, detail: `database unreachable: ${err instanceof Error ? err.message : String(err)}` };
      checks.migrations = { ok: false, detail: "unknown: the database is unreachable" };
    }
    if (opts.listenerUp) {
      checks.listener = opts.listenerUp()
        ? { ok: true }
        : { ok: false, detail: "the LISTEN connection is down and being re-established (loops fall back to their timers)" };
    }
    for (const [name, loop] of Object.entries(opts.loops ?? {})) {
      if (!loop) continue;
      const last = loop.lastCycleAt();
      if (last === undefined) checks[name] = { ok: false, detail: "has not completed a cycle yet" };
      else if (now() - last > loop.staleAfterMs) {
        checks[name] = { ok: false, detail: `last completed a cycle ${Math.round((now() - last) / 1000)} s ago` };
      } else checks[name] = { ok: true };
    }
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  };
}

export type ReadinessProbe = ReturnType<typeof createReadinessProbe>;
