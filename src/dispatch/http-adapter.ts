/**
 * Wakes an http agent: POSTs the delivery as JSON to `adapterConfig.url`, signed in the Standard
 * Webhooks format with the agent's delivery secret. A 2xx answer within the timeout succeeds;
 * anything else (other status, redirect, network error, timeout) is retried by the dispatcher.
 *
 * Unless the operator allows local targets (ROUTINED_HTTP_ADAPTER_ALLOW_LOCAL), the address connected to is
 * checked on every delivery: never loopback, link-local (cloud metadata) or this server's own addresses, even
 * when the URL's name resolved elsewhere when the agent was saved (DNS rebinding).
 */
import { Agent, fetch } from "undici";
import type { Clock } from "../domain/clock";
import { systemClock } from "../domain/clock";
import { standardWebhooksHeaders } from "../domain/webhook-auth";
import { checkedLookup, literalTargetRefusal } from "../services/http-target";
import type { Adapter, AttemptResult } from "./adapter";

const RESPONSE_LIMIT = 4096;

export function createHttpAdapter({ clock = systemClock, allowLocal }: { clock?: Clock; allowLocal: boolean }): Adapter {
  const dispatcher = new Agent(allowLocal ? {} : { connect: { lookup: checkedLookup } });
  return {
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
        const res = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "routined",
            ...standardWebhooksHeaders(agent.deliverySecret, deliveryId, Math.floor(clock.now().getTime() / 1000), body),
          },
          body,
          redirect: "manual",
          dispatcher,
          signal: AbortSignal.any([signal, timeout]),
        });
        const output = `HTTP ${res.status}\n${await readSome(res)}`;
        if (res.status >= 200 && res.status < 300) return { ok: true, output };
        return { ok: false, timedOut: false, error: `The agent answered HTTP ${res.status}`, output };
      } catch (err) {
        if (timeout.aborted && !signal.aborted) {
          return { ok: false, timedOut: true, error: `The agent did not answer within ${timeoutMs / 1000} s` };
        }
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        if (cause?.message?.includes("ROUTINED_HTTP_ADAPTER_ALLOW_LOCAL")) return fail(`Delivery refused: ${cause.message}`);
        return fail(`Delivery failed: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
      }
    },
  };
}

const fail = (error: string): AttemptResult => ({ ok: false, timedOut: false, error });

/** The start of the response body, for the run's output; the rest is not read. */
async function readSome(res: import("undici").Response): Promise<string> {
  if (!res.body) return "";
  const chunks: Uint8Array[] = [];
  let read = 0;
  const reader = res.body.getReader();
  try {
    while (read < RESPONSE_LIMIT) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      read += value.length;
    }
  } catch {
    /* a body cut short still leaves what was read */
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_LIMIT).toString("utf8");
}
