/**
 * Wakes an http agent: POSTs the delivery as JSON to `adapterConfig.url`, signed in the Standard
 * Webhooks format with the agent's delivery secret. A 2xx answer within the timeout succeeds;
 * anything else (other status, redirect, network error, timeout) is retried by the dispatcher.
 */
import type { Clock } from "../domain/clock";
import { systemClock } from "../domain/clock";
import { standardWebhooksHeaders } from "../domain/webhook-auth";
import type { Adapter, AttemptResult } from "./adapter";

const RESPONSE_LIMIT = 4096;

export function createHttpAdapter({ clock = systemClock }: { clock?: Clock } = {}): Adapter {
  return {
    async deliver({ payload, agent, deliveryId, timeoutMs, signal }): Promise<AttemptResult> {
      const url = agent.adapterConfig.url;
      if (typeof url !== "string") return fail("The agent has no adapterConfig.url: set one with PATCH /api/agents/{agentId}");
      if (!agent.deliverySecret) {
        return fail("The agent has no delivery secret: create one with POST /api/agents/{agentId}/delivery-secret/rotate");
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
        return fail(`Delivery failed: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
      }
    },
  };
}

const fail = (error: string): AttemptResult => ({ ok: false, timedOut: false, error });

/** The start of the response body, for the run's output; the rest is not read. */
async function readSome(res: Response): Promise<string> {
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
