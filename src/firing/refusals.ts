/**
 * Why a fire was refused under its routine's lock: a typed outcome the caller branches on (a webhook whose
 * secret was rotated drops its cached copy of the trigger), and the one place a refusal becomes an HTTP error:
 * the owner of every message a fire is refused with (a manual run's included: `services/runs.ts` checks only
 * who may run and what the run names, and answers the planner's refusals with these).
 */
import type { RunSource } from "../domain/enums";
import { type AppError, conflict, forbidden, notFound, unauthorized, unprocessable } from "../domain/errors";

export type Refusal =
  | "routine_not_found"
  | "trigger_not_found"
  | "trigger_of_another_routine"
  | "routine_archived"
  | "routine_paused"
  | "trigger_disabled"
  /** The webhook trigger's secret or signing mode changed since the delivery was verified. */
  | "secret_rotated"
  /** One of the delivery's replay fingerprints is recorded. */
  | "duplicate_delivery"
  /** A required variable of the routine has no value, or a given one is not of its type (the detail says which). */
  | "variables_missing"
  /** A run of a draft: no agent or no project, neither the routine's nor the run's (`missing` names them). */
  | "routine_draft";

/** A refused fire: why, and what the refusal names. */
export interface Refused {
  refused: Refusal;
  detail?: string;
  missing?: string[];
}

/** The error the caller of a refused fire answers with. */
export function refusalError(refusal: Refusal, source: RunSource, detail?: string, missing?: string[]): AppError {
  switch (refusal) {
    case "variables_missing":
      return unprocessable(detail ?? "Missing routine variables");
    case "routine_draft":
      return unprocessable(`Routine is a draft: set ${(missing ?? []).join(" and ")} before running it`, { missing });
    case "routine_not_found":
      return notFound("Routine not found");
    case "trigger_not_found":
      return notFound("Routine trigger not found");
    case "trigger_of_another_routine":
      return forbidden("Trigger does not belong to routine");
    case "secret_rotated":
      return unauthorized();
    case "duplicate_delivery":
      return conflict("Duplicate delivery");
    case "routine_archived":
    case "routine_paused":
    case "trigger_disabled":
      // Paperclip's messages: a webhook of a routine that is not active, a run naming a disabled trigger.
      if (source === "webhook" || refusal === "trigger_disabled") return conflict("Routine trigger is not active");
      return conflict(refusal === "routine_archived" ? "Routine is archived" : "Routine is paused");
  }
}
