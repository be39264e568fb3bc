/**
 * One builder for a routine of the seeded world and its trigger, made through the API as a user would: assigned
 * to the world's agent, in its project. Tests name only what they care about (policy, status, trigger kind).
 */
import type { TestApp, World } from "./app";

export interface RoutineFixture {
  /** The create-routine answer (status and body), for tests of the create itself. */
  response: { status: number; body: any };
  routineId: string;
  trigger?: {
    id: string;
    body: any;
    /** A webhook trigger's public fire path and secret (shown only at create). */
    path: string;
    secret: string;
    /** A schedule trigger's first due time (ms). */
    nextRunAtMs: number;
  };
}

export interface RoutineSpec {
  /** Fields of the routine (title, concurrencyPolicy, ...) over the defaults. */
  routine?: Record<string, unknown>;
  /** A trigger to add (its create body). */
  trigger?: Record<string, unknown>;
  /** Move the routine to this status after adding the trigger. */
  status?: "paused" | "archived";
  token?: string;
}

export async function addRoutine(s: { t: TestApp; w: World }, spec: RoutineSpec = {}): Promise<RoutineFixture> {
  const { t, w } = s;
  const response = await t.request("POST", `/api/companies/${w.company.id}/routines`, {
    token: spec.token,
    body: { title: "Weekly CEO briefing", assigneeAgentId: w.agent.id, projectId: w.project.id, ...spec.routine },
  });
  const routineId = response.body?.id as string;
  const fixture: RoutineFixture = { response, routineId };
  if (spec.trigger) {
    if (response.status !== 201) throw new Error(`routine not created: ${response.status} ${JSON.stringify(response.body)}`);
    const created = await t.request("POST", `/api/routines/${routineId}/triggers`, { token: spec.token, body: spec.trigger });
    if (created.status !== 201) throw new Error(`trigger not created: ${created.status} ${JSON.stringify(created.body)}`);
    const { trigger, secretMaterial } = created.body;
    fixture.trigger = {
      id: trigger.id,
      body: trigger,
      path: `/api/routine-triggers/public/${trigger.publicId}/fire`,
      secret: secretMaterial?.webhookSecret,
      nextRunAtMs: trigger.nextRunAt ? new Date(trigger.nextRunAt).getTime() : NaN,
    };
  }
  if (spec.status) {
    const moved = await t.request("PATCH", `/api/routines/${routineId}`, { token: spec.token, body: { status: spec.status } });
    if (moved.status !== 200) throw new Error(`routine not moved to ${spec.status}: ${moved.status}`);
  }
  return fixture;
}
