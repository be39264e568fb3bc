/**
 * Why a fire was refused under its routine's lock: a typed outcome the caller branches on (a webhook whose
 * secret was rotated drops its cached copy of the trigger), and the one place a refusal becomes an HTTP error.
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
  /** A required variable of the routine has no value (the detail names it). */
  | "variables_missing";

/** The error the caller of a refused fire answers with. */
export function refusalError(refusal: Refusal, source: RunSource, detail?: string): AppError {
  switch (refusal) {
    case "variables_missing":
      return unprocessable(detail ?? "Missing routine variables");
    case "routine_not_found":
      return notFound("Routine not found");
    case "trigger_not_found":
      return notFound("Routine trigger not found");
    case "trigger_of_another_routine":
      return forbidden("Routine trigger belongs to another routine");
    case "secret_rotated":
      return unauthorized();
    case "duplicate_delivery":
      return conflict("Duplicate delivery");
    case "routine_archived":
    case "routine_paused":
    case "trigger_disabled":
      if (source === "webhook") return conflict("Routine trigger is not active");
      return conflict(
        refusal === "routine_archived" ? "Routine is archived" : refusal === "routine_paused" ? "Routine is paused" : "Routine trigger is disabled",
      );
  }
}
