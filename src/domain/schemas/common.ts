/** Small schemas shared by every resource. */
import { z } from "zod";

export const uuid = z.uuid({ error: "must be a UUID" });
export const idParams = <K extends string>(name: K) => z.strictObject({ [name]: uuid } as { [P in K]: typeof uuid });
export const trimmed = (min: number, max: number) => z.string().trim().min(min).max(max);
export const description = z.string().max(20_000).nullable();
/** Free-form JSON objects (payloads, adapter configs); bounded so one request cannot bloat a row. */
export const jsonObject = z
  .record(z.string(), z.unknown())
  .refine((v) => JSON.stringify(v).length <= 65_536, { message: "must be at most 64 KiB as JSON" });
export const isoDateTime = z.iso.datetime({ offset: true });

export const errorBody = z.object({ error: z.string(), details: z.unknown().optional() });
/** 429 and 503: retry after `retryAfterSeconds` (also sent as the Retry-After header). */
export const retryLaterBody = errorBody.extend({ retryAfterSeconds: z.number().int().positive() });
/** A timestamp in a response: a Date in code, an ISO 8601 string on the wire and in OpenAPI. */
export const timestamp = z.date();
