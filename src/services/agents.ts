/** Agents and their API keys. Keys are shown once and stored as SHA-256 hashes. */
import type { Actor } from "../domain/actor";
import { conflict, forbidden, notFound, unprocessable } from "../domain/errors";
import type { CreateAgentBody, UpdateAgentBody } from "../domain/schemas/agents";
import { parseAdapterConfig } from "../domain/schemas/agents";
import { AGENT_KEY_PREFIX, displayPrefix, generateToken, hashToken } from "../domain/tokens";
import type { AdapterType } from "../domain/enums";
import { type AdapterPolicy, processRefusal } from "../domain/adapter-policy";
import { httpTargetRefusal } from "./http-target";
import { generateWebhookSecret } from "../domain/webhook-auth";
import type { SecretBox } from "../domain/secret-box";
import type { Db } from "../store/db";
import { type AgentRow, agentsRepo } from "../store/repos/agents";
import { type AgentKeyRow, credentialsRepo } from "../store/repos/credentials";
import { notifyAgent } from "../store/repos/heartbeat-runs";
import { assertBoard, assertCompanyAccess } from "./access";
import type { CompanyService } from "./companies";

export const presentAgent = ({ deliverySecretCiphertext: _secret, ...rest }: AgentRow) => rest;
export const presentKey = ({ keyHash: _hash, companyId: _c, ...rest }: AgentKeyRow) => rest;

function checkAdapterConfig(type: AdapterType, config: unknown): Record<string, unknown> {
  const parsed = parseAdapterConfig(type, config);
  if (!parsed.success) {
    throw unprocessable(
      `Invalid adapterConfig for adapterType "${type}": ${parsed.error.issues.map((i) => `${i.path.join(".") || "adapterConfig"} ${i.message}`).join("; ")}`,
      parsed.error.issues,
    );
  }
  return parsed.data;
}

/** The operator's limits on how agents are run: refused before anything is written. */
async function checkAdapterPolicy(policy: AdapterPolicy, type: AdapterType, config: Record<string, unknown>): Promise<void> {
  const refusal =
    type === "process"
      ? processRefusal(policy.process, config)
      : type === "http"
        ? await httpTargetRefusal(String(config.url), policy.http.allowLocal)
        : undefined;
  if (refusal) throw unprocessable(refusal);
}

export function createAgentService(db: Db, companies: CompanyService, secretBox: SecretBox, policy: AdapterPolicy) {
  /** http agents get a delivery secret, shown once: on create, on switching to http, on rotate. */
  function newDeliverySecret() {
    const deliverySecret = generateWebhookSecret("standard_webhooks");
    return { deliverySecret, deliverySecretCiphertext: secretBox.encrypt(deliverySecret) };
  }

  /** The agent, or 404; agents of another company get 403. */
  async function load(actor: Actor, id: string): Promise<AgentRow> {
    const row = await agentsRepo.get(db, id);
    if (!row) throw notFound("Agent not found");
    assertCompanyAccess(actor, row.companyId);
    return row;
  }
  /** The board, or the agent itself, may manage an agent's settings and keys. */
  function assertSelfOrBoard(actor: Actor, agentId: string): void {
    if (actor.kind === "agent" && actor.agentId !== agentId) {
      throw forbidden("Agents can only manage themselves");
    }
  }

  return {
    load,
    async create(actor: Actor, companyId: string, body: CreateAgentBody) {
      await companies.load(actor, companyId);
      assertBoard(actor, "create agents");
      const adapterConfig = checkAdapterConfig(body.adapterType, body.adapterConfig);
      await checkAdapterPolicy(policy, body.adapterType, adapterConfig);
      const secret = body.adapterType === "http" ? newDeliverySecret() : undefined;
      const row = await agentsRepo.insert(db, {
        companyId,
        name: body.name,
        role: body.role ?? null,
        title: body.title ?? null,
        adapterType: body.adapterType,
        adapterConfig,
        deliverySecretCiphertext: secret?.deliverySecretCiphertext ?? null,
      });
      return { ...presentAgent(row), ...(secret && { deliverySecret: secret.deliverySecret }) };
    },
    async list(actor: Actor, companyId: string) {
      await companies.load(actor, companyId);
      return (await agentsRepo.listByCompany(db, companyId)).map(presentAgent);
    },
    async get(actor: Actor, id: string) {
      return presentAgent(await load(actor, id));
    },
    async me(actor: Actor) {
      if (actor.kind !== "agent") throw notFound("No agent: this request is authenticated as the board");
      return presentAgent(await load(actor, actor.agentId));
    },
    async update(actor: Actor, id: string, body: UpdateAgentBody) {
      const current = await load(actor, id);
      assertSelfOrBoard(actor, id);
      // How an agent is run (a command, a URL, their environment) is the board's to decide, never the agent's own.
      if (actor.kind === "agent" && (body.adapterType !== undefined || body.adapterConfig !== undefined)) {
        throw forbidden("Only the board can change an agent's adapterType and adapterConfig: they decide what routined runs or calls to wake it");
      }
      const type = body.adapterType ?? (current.adapterType as AdapterType);
      const adapterConfig =
        body.adapterConfig !== undefined || body.adapterType !== undefined
          ? checkAdapterConfig(type, body.adapterConfig ?? (body.adapterType === current.adapterType ? current.adapterConfig : {}))
          : undefined;
      if (adapterConfig) await checkAdapterPolicy(policy, type, adapterConfig);
      // Switching to http makes a new delivery secret (shown in this response); leaving http drops it.
      const secret = type === "http" && current.adapterType !== "http" ? newDeliverySecret() : undefined;
      const deliverySecretCiphertext = secret ? secret.deliverySecretCiphertext : type === "http" ? undefined : null;
      const row = await agentsRepo.update(db, id, { ...body, adapterConfig, deliverySecretCiphertext });
      return { ...presentAgent(row!), ...(secret && { deliverySecret: secret.deliverySecret }) };
    },
    async rotateDeliverySecret(actor: Actor, id: string) {
      const current = await load(actor, id);
      assertSelfOrBoard(actor, id);
      if (current.adapterType !== "http") {
        throw conflict(`Agent uses the ${current.adapterType} adapter: only http agents have a delivery secret; set adapterType to http first`);
      }
      const secret = newDeliverySecret();
      const row = await agentsRepo.update(db, id, { deliverySecretCiphertext: secret.deliverySecretCiphertext });
      return { agentId: row!.id, deliverySecret: secret.deliverySecret, rotatedAt: row!.updatedAt };
    },
    /** A paused agent's heartbeat runs stay queued until it is resumed. */
    async pause(actor: Actor, id: string) {
      await load(actor, id);
      assertSelfOrBoard(actor, id);
      return presentAgent((await agentsRepo.update(db, id, { status: "paused" }))!);
    },
    async resume(actor: Actor, id: string) {
      await load(actor, id);
      assertSelfOrBoard(actor, id);
      const row = await db.transaction(async (tx) => {
        const updated = await agentsRepo.update(tx, id, { status: "active" });
        await notifyAgent(tx, id);
        return updated!;
      });
      return presentAgent(row);
    },
    async createKey(actor: Actor, agentId: string, body: { name?: string }) {
      const agent = await load(actor, agentId);
      assertSelfOrBoard(actor, agentId);
      const key = generateToken(AGENT_KEY_PREFIX);
      const row = await credentialsRepo.insertAgentKey(db, {
        companyId: agent.companyId,
        agentId,
        name: body.name ?? null,
        keyPrefix: displayPrefix(key),
        keyHash: hashToken(key),
      });
      return { ...presentKey(row), key };
    },
    async listKeys(actor: Actor, agentId: string) {
      await load(actor, agentId);
      assertSelfOrBoard(actor, agentId);
      return (await credentialsRepo.listAgentKeys(db, agentId)).map(presentKey);
    },
    async revokeKey(actor: Actor, agentId: string, keyId: string) {
      await load(actor, agentId);
      assertSelfOrBoard(actor, agentId);
      const row = await credentialsRepo.revokeAgentKey(db, agentId, keyId);
      if (!row) throw notFound("API key not found");
    },
  };
}

export type AgentService = ReturnType<typeof createAgentService>;
