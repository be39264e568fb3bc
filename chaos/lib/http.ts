/** JSON over HTTP to a chaos server, counting what came back. */
import crypto from "node:crypto";

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A request's outcome; status 0 is a connection that failed (refused or reset by a killed process). */
export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; rawBody?: string; headers?: Record<string, string>; token?: string; timeoutMs?: number } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  try {
    const res = await fetch(base + path, { method, headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  } catch {
    return { status: 0, body: undefined as T, headers: new Headers() };
  }
}

/** Like `call`, but throws unless the status is `expected` (for setting up). */
export async function must<T = any>(expected: number, ...args: Parameters<typeof call>): Promise<T> {
  const res = await call<T>(...args);
  if (res.status !== expected) throw new Error(`${args[1]} ${args[2]}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Paperclip `hmac_sha256` signature headers: HMAC over "<timestamp>." + body. */
export function signPaperclip(secret: string, body: string): Record<string, string> {
  const ts = String(Math.floor(Date.now() / 1000));
  return {
    "x-paperclip-timestamp": ts,
    "x-paperclip-signature": crypto.createHmac("sha256", secret).update(`${ts}.`).update(body).digest("hex"),
  };
}

/** Counts of what requests got back. */
export class Tally {
  sent = 0;
  byStatus = new Map<number, number>();
  /** 503s that carried a Retry-After header. */
  retryAfter = 0;
  add(a: Answer): Answer {
    this.sent++;
    this.byStatus.set(a.status, (this.byStatus.get(a.status) ?? 0) + 1);
    if (a.status === 503 && a.headers.get("retry-after")) this.retryAfter++;
    return a;
  }
  count(pred: (status: number) => boolean): number {
    let n = 0;
    for (const [s, c] of this.byStatus) if (pred(s)) n += c;
    return n;
  }
  get serverErrors(): number {
    return this.count((s) => s >= 500 && s !== 503);
  }
  get unavailable(): number {
    return this.count((s) => s === 503);
  }
  get connectionFailures(): number {
    return this.count((s) => s === 0);
  }
  get rejected(): number {
    return this.count((s) => s >= 400);
  }
  summary() {
    return { sent: this.sent, byStatus: Object.fromEntries(this.byStatus), rejected: this.rejected, unavailable503: this.unavailable, with503RetryAfter: this.retryAfter, connectionFailures: this.connectionFailures, serverErrors5xx: this.serverErrors };
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
