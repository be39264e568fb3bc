/**
 * What a database error means for the caller: a conflict to retry at once, the database being unavailable
 * (retry shortly), or neither (a bug, or the request's own fault). Pure: it reads only the error.
 */

/** The error and what caused it (drizzle wraps the driver's error; a failed connect may be an AggregateError). */
function* causes(err: unknown): Generator<{ code?: unknown; message?: unknown }> {
  for (let e = err as { cause?: unknown; errors?: unknown[] } | undefined, depth = 0; e && depth < 5; depth++) {
    yield e as { code?: unknown; message?: unknown };
    if (Array.isArray(e.errors) && e.errors.length) yield* causes(e.errors[0]);
    e = e.cause as typeof e;
  }
}

/** The SQLSTATE of a database error, wherever in the chain of causes it is. */
export function pgCode(err: unknown): string | undefined {
  for (const e of causes(err)) if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  return undefined;
}

/**
 * The database cannot serve us now: connection exceptions (08), insufficient resources such as too many
 * connections (53), operator intervention — shutting down, starting up, terminated, dropped (57P), a database
 * that refuses connections (55000, `ALTER DATABASE … ALLOW_CONNECTIONS false`) and one that does not exist
 * (3D000, e.g. dropped or not created yet).
 */
const PG_UNAVAILABLE = /^(08|53|57P|55000$|3D000$)/;
/** Serialization failure, deadlock, lock not available: the transaction was aborted and may simply be retried. */
const PG_RETRY = new Set(["40001", "40P01", "55P03"]);
/** The driver could not reach the server, or lost its connection. */
const CONNECTION_ERRNO = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
const CONNECTION_LOST = /Connection terminated|is not queryable|timeout exceeded when trying to connect|Client was closed/;

export interface TransientDatabaseError {
  kind: "conflict" | "unavailable";
  error: string;
  retryAfterSeconds: number;
  /** The SQLSTATE or errno, or "connection lost": safe to log (never the query or its parameters). */
  cause: string;
}

/** A database error that is not the request's fault and may pass (503 with Retry-After); null for any other. */
export function transientDatabaseError(err: unknown): TransientDatabaseError | null {
  const code = pgCode(err);
  if (code && PG_RETRY.has(code)) {
    return { kind: "conflict", error: "The request collided with concurrent changes and was not applied: retry it", retryAfterSeconds: 1, cause: code };
  }
  for (const e of causes(err)) {
    const errno = typeof e.code === "string" ? e.code : "";
    if (PG_UNAVAILABLE.test(errno) || CONNECTION_ERRNO.has(errno) || (typeof e.message === "string" && CONNECTION_LOST.test(e.message))) {
      return { kind: "unavailable", error: "The database is unavailable: retry shortly", retryAfterSeconds: 5, cause: errno || "connection lost" };
    }
  }
  return null;
}
