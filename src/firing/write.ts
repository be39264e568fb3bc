/** The flush: a plan of fires as the rows the write statement takes (`store/repos/fire/write.ts`). */
import type { Executor } from "../store/db";
import { fireRepo } from "../store/repos/fire";
import type { RunRow } from "../store/repos/runs";
import { type FirePlan, isEmptyPlan } from "./plan";

/** Writes a plan; returns the runs written by id (none when asked for `nothing`, or when the plan is empty). */
export type PlanWriter = (tx: Executor, plan: FirePlan, o: { maxAttempts: number; returning: "runs" | "nothing" }) => Promise<Map<string, RunRow>>;

export const writePlan: PlanWriter = async (tx, plan, { maxAttempts, returning }) => {
  if (isEmptyPlan(plan)) return new Map();
  const written = await fireRepo.write(
    tx,
    {
      runs: plan.runs,
      issues: plan.issues,
      comments: plan.comments,
      replays: plan.replays,
      activity: plan.activity,
      maxAttempts,
      triggerMarks: [...plan.triggerMarks].map(([id, mark]) => ({ id, ...mark })),
      routineMarks: [...plan.routineMarks].map(([id, mark]) => ({ id, ...mark })),
    },
    returning,
  );
  return new Map(written.map((run) => [run.id, run]));
};
