/** What the experiments fire: a company with a poll agent (its key), a project, routines and triggers, made over HTTP. */
import { must } from "./http";

export interface Fixture {
  companyId: string;
  agentId: string;
  agentKey: string;
  projectId: string;
}

/** Every secret and key the run was handed: none may appear in a database dump or a log line. */
export const secrets = new Set<string>();

export async function createFixture(base: string, name = "Chaos"): Promise<Fixture> {
  const company = await must(201, base, "POST", "/api/companies", { body: { name } });
  const agent = await must(201, base, "POST", `/api/companies/${company.id}/agents`, { body: { name: "Agent", adapterType: "poll" } });
  const key = await must(201, base, "POST", `/api/agents/${agent.id}/keys`, { body: {} });
  secrets.add(key.key);
  const project = await must(201, base, "POST", `/api/companies/${company.id}/projects`, { body: { name: "Chaos" } });
  return { companyId: company.id, agentId: agent.id, agentKey: key.key, projectId: project.id };
}

export async function createRoutine(
  base: string,
  f: Fixture,
  title: string,
  policies: { concurrencyPolicy?: string; catchUpPolicy?: string } = {},
): Promise<string> {
  const routine = await must(201, base, "POST", `/api/companies/${f.companyId}/routines`, {
    body: { title, assigneeAgentId: f.agentId, projectId: f.projectId, concurrencyPolicy: "always_enqueue", ...policies },
  });
  return routine.id;
}

export async function everySecond(base: string, routineId: string): Promise<string> {
  const created = await must(201, base, "POST", `/api/routines/${routineId}/triggers`, { body: { kind: "schedule", cronExpression: "* * * * * *" } });
  return created.id ?? created.trigger?.id;
}

export async function webhook(base: string, routineId: string): Promise<{ path: string; secret: string }> {
  const created = await must(201, base, "POST", `/api/routines/${routineId}/triggers`, { body: { kind: "webhook", signingMode: "hmac_sha256" } });
  const secret = created.secretMaterial.webhookSecret as string;
  secrets.add(secret);
  return { path: `/api/routine-triggers/public/${created.trigger.publicId}/fire`, secret };
}
