/**
 * Wakes an http agent: POSTs the delivery as JSON to `adapterConfig.url`, signed in the Standard
 * Webhooks format with the agent's delivery secret. A 2xx answer within the timeout succeeds;
 * anything else (other status, redirect, network error, timeout) is retried by the dispatcher.
 *
 * Unless the operator allows local targets (ROUTINED_HTTP_ADAPTER_ALLOW_LOCAL), the address connected to is
 * checked on every delivery: never loopback, link-local (cloud metadata) or this server's own addresses, even
 * when the URL's name resolved elsewhere when the agent was saved (DNS rebinding).
 *
 * Connections are kept alive and reused (an undici pool per agent origin), so waking the same agent
 * again costs no TCP handshake.
 */
import { Agent, type Dispatcher, request } from "undici";
import type { Clock } from "../domain/clock";
import { systemClock } from "../domain/clock";
import { standardWebhooksHeaders } from "../domain/webhook-auth";
import { checkedLookup, literalTargetRefusal } from "../services/http-target";
import type { Adapter, AttemptResult } from "./adapter";

const RESPONSE_LIMIT = 4096;

export interface HttpAdapterOptions {
  clock?: Clock;
  /** ROUTINED_HTTP_ADAPTER_ALLOW_LOCAL: loopback, link-local and this server's addresses may be targets. */
  allowLocal: boolean;
  /** How long an idle connection to an agent is kept open (default 10 s; the agent may close it sooner). */
  keepAliveMs?: number;
}

export function createHttpAdapter({ clock = systemClock, allowLocal, keepAliveMs = 10_000 }: HttpAdapterOptions): Adapter & { close(): Promise<void> } {
  // One pool per origin; the dispatcher's concurrency bounds how many connections it opens.
  const pool = new Agent({
    keepAliveTimeout: keepAliveMs,
    keepAliveMaxTimeout: Math.max(keepAliveMs, 60_000),
    ...(allowLocal ? {} : { connect: { lookup: checkedLookup } }),
  });
  return {
    close: () => pool.close(),
    async deliver({ payload, agent, deliveryId, timeoutMs, signal }): Promise<AttemptResult> {
      const url = agent.adapterConfig.url;
      if (typeof url !== "string") return fail("The agent has no adapterConfig.url: set one with PATCH /api/agents/{agentId}");
      if (!agent.deliverySecret) {
        return fail("The agent has no delivery secret: create one with POST /api/agents/{agentId}/delivery-secret/rotate");
      }
      if (!allowLocal) {
        // A literal address is connected to without a lookup: check it here.
        const literal = literalTargetRefusal(url);
        if (literal) return fail(`Delivery refused: ${literal}`);
      }
      const body = JSON.stringify(payload);
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        const res = await request(url, {
          dispatcher: pool,
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "routined",
            ...standardWebhooksHeaders(agent.deliverySecret, deliveryId, Math.floor(clock.now().getTime() / 1000), body),
          },
          body,
          signal: AbortSignal.any([signal, timeout]),
        });
        const output = `HTTP ${res.statusCode}\n${await readSome(res.body)}`;
        if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true, output, code: res.statusCode };
        return { ok: false, timedOut: false, error: `The agent answered HTTP ${res.statusCode}`, output, code: res.statusCode };
      } catch (err) {
        if (timeout.aborted && !signal.aborted) {
          return { ok: false, timedOut: true, error: `The agent did not answer within ${timeoutMs / 1000} s` };
        }
        const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
        const refusal = [e.message, e.cause?.message].find((m) => m?.includes("ROUTINED_HTTP_ADAPTER_ALLOW_LOCAL"));
        if (refusal) return fail(`Delivery refused: ${refusal}`);
        return fail(`Delivery failed: ${e.cause?.code ?? (e.code?.startsWith("UND_ERR") ? undefined : e.code) ?? e.cause?.message ?? e.message}`);
      }
    },
  };
}

const fail = (error: string): AttemptResult => ({ ok: false, timedOut: false, error });

/** The start of the response body, for the run's output; the rest is drained (a connection is reused only once its response is read). */
async function readSome(body: Dispatcher.ResponseData["body"]): Promise<string> {
  const chunks: Buffer[] = [];
  let read = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (read < RESPONSE_LIMIT) chunks.push(chunk);
      read += chunk.length;
      if (read > 1024 * 1024) break; // not worth reading on: drop the connection instead
    }
  } catch {
    /* a body cut short still leaves what was read */
  } finally {
    if (!body.destroyed && read > 1024 * 1024) body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_LIMIT).toString("utf8");
}
