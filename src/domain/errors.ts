/**
 * One error type for everything a request can do wrong. Services throw it through the named
 * constructors; the HTTP layer turns it into `{ "error": message, "details"?: ..., ...extra }` in one place.
 */
export interface AppErrorOptions {
  details?: unknown;
  /** Response headers, e.g. `retry-after`. */
  headers?: Record<string, string>;
  /** Extra top-level body fields kept for wire compatibility (e.g. `retryAfterSeconds`). */
  extra?: Record<string, unknown>;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly options: AppErrorOptions = {},
  ) {
    super(message);
    this.name = "AppError";
  }

  toBody(): Record<string, unknown> {
    const body: Record<string, unknown> = { error: this.message };
    if (this.options.details !== undefined) body.details = this.options.details;
    return { ...body, ...this.options.extra };
  }
}

export const badRequest = (message: string, details?: unknown) => new AppError(400, message, { details });
export const unauthorized = (message = "Unauthorized") => new AppError(401, message);
export const forbidden = (message: string) => new AppError(403, message);
export const notFound = (message: string) => new AppError(404, message);
export const conflict = (message: string, details?: unknown) => new AppError(409, message, { details });
export const unprocessable = (message: string, details?: unknown) => new AppError(422, message, { details });
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new AppError(429, message, {
    headers: { "retry-after": String(retryAfterSeconds) },
    extra: { retryAfterSeconds },
  });

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;
