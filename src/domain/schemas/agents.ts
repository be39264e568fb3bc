import { z } from "zod";
import { adapterType, agentStatus } from "../enums";
import { jsonObject, timestamp, trimmed, uuid } from "./common";

/**
 * How routined wakes the agent: `poll` (the agent claims work through the API), `http` (a signed
 * POST to `url`), `process` (runs `command`, an argv array, no shell).
 */
export const pollAdapterConfig = z.strictObject({});
export const httpAdapterConfig = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
  timeoutSec: z.number().int().min(1).max(3600).optional(),
});
export const processAdapterConfig = z.strictObject({
  command: z.array(z.string().min(1).max(4096)).min(1).max(64),
  cwd: z.string().min(1).max(4096).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(4096)).optional(),
  timeoutSec: z.number().int().min(1).max(86_400).optional(),
});

export const createAgentBody = z.strictObject({
  name: trimmed(1, 200),
  role: trimmed(1, 100).nullable().optional(),
  title: trimmed(1, 200).nullable().optional(),
  adapterType: adapterType.default("poll"),
  adapterConfig: jsonObject.default({}),
});

export const updateAgentBody = z
  .strictObject({
    name: trimmed(1, 200),
    role: trimmed(1, 100).nullable(),
    title: trimmed(1, 200).nullable(),
    adapterType,
    adapterConfig: jsonObject,
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: "at least one field is required" });

export const agent = z.object({
  id: uuid,
  companyId: uuid,
  name: z.string(),
  role: z.string().nullable(),
  title: z.string().nullable(),
  status: agentStatus,
  adapterType,
  adapterConfig: z.record(z.string(), z.unknown()),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const createKeyBody = z.strictObject({ name: trimmed(1, 100).optional() });
export const agentKey = z.object({
  id: uuid,
  agentId: uuid,
  name: z.string().nullable(),
  keyPrefix: z.string(),
  lastUsedAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
  createdAt: timestamp,
});
export const createdAgentKey = agentKey.extend({ key: z.string().describe("The key itself: shown only in this response") });

export type CreateAgentBody = z.infer<typeof createAgentBody>;
export type UpdateAgentBody = z.infer<typeof updateAgentBody>;

/** Checks `adapterConfig` against the adapter type; returns the parsed config or the zod error. */
export function parseAdapterConfig(type: z.infer<typeof adapterType>, config: unknown) {
  const schema = { poll: pollAdapterConfig, http: httpAdapterConfig, process: processAdapterConfig }[type];
  return schema.safeParse(config);
}

/** An http agent's delivery secret (`whsec_…`) is in these responses only: create, switch to http, rotate. */
const deliverySecret = z.string().describe("Signs deliveries (Standard Webhooks): shown only in this response");
export const agentWithSecret = agent.extend({ deliverySecret: deliverySecret.optional() });
export const rotatedDeliverySecret = z.object({ agentId: uuid, deliverySecret, rotatedAt: timestamp });
