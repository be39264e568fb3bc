/**
 * What the dispatcher needs from the database: claim runnable runs, load what to deliver and to
 * whom, and record each attempt's result (retry with backoff, or end the run for good).
 */
import type { AdapterType } from "../domain/enums";
import type { SecretBox } from "../domain/secret-box";
import type { Db } from "../store/db";
import { openEnv } from "../domain/routine-env";
import { agentsRepo } from "../store/repos/agents";
import { routinesRepo } from "../store/repos/routines";
import { type HeartbeatRunRow, heartbeatRunsRepo as repo } from "../store/repos/heartbeat-runs";
import { loadDelivery } from "./heartbeat-runs";

/** The result of one delivery attempt, as an adapter reports it. */
export type AttemptResult =
  | { ok: true; output?: string }
  | { ok: false; timedOut: boolean; error: string; output?: string };

export interface DeliveryTarget {
  /** The JSON body an agent receives: `{ heartbeatRun, issue, routineRun, agent: { id, name }, env }`. */
  payload: Awaited<ReturnType<typeof loadDelivery>> & { agent: { id: string; name: string }; env: Record<string, string> | null };
  agent: { id: string; adapterType: AdapterType; adapterConfig: Record<string, unknown>; deliverySecret?: string };
}

export interface ClaimOptions {
  workerId: string;
  limit: number;
  leaseSec: number;
  timeoutSec: number;
  marginSec: number;
}

export function createHeartbeatDispatchService({ db, secretBox }: { db: Db; secretBox: SecretBox }) {
  return {
    reclaimExpired: () => repo.reclaimExpired(db),
    claim: (o: ClaimOptions) => repo.claimForDispatch(db, o),
    nextWakeInMs: () => repo.nextWakeInMs(db),

    /** Undefined when the agent is gone (its runs went with it). */
    async target(run: HeartbeatRunRow): Promise<DeliveryTarget | undefined> {
      const agent = await agentsRepo.get(db, run.agentId);
      if (!agent) return undefined;
      const delivery = await loadDelivery(db, run);
      // The routine's env, decrypted only here, for the agent.
      const routine = delivery.routineRun ? await routinesRepo.get(db, delivery.routineRun.routineId) : undefined;
      return {
        payload: { ...delivery, agent: { id: agent.id, name: agent.name }, env: openEnv(routine?.env ?? null, secretBox) },
        agent: {
          id: agent.id,
          adapterType: agent.adapterType,
          adapterConfig: agent.adapterConfig,
          deliverySecret: agent.deliverySecretCiphertext ? secretBox.decrypt(agent.deliverySecretCiphertext) : undefined,
        },
      };
    },

    /**
     * Records attempt `run.attempt`: succeeded; else retried after `retryDelayMs` while attempts
     * remain; else failed (or timed out) for good, failing the routine run. Undefined when the
     * claim is no longer current (the lease expired and another process took the run).
     */
    async record(run: HeartbeatRunRow, result: AttemptResult, retryDelayMs: number) {
      const guard = { id: run.id, attempt: run.attempt, claimedBy: run.claimedBy ?? undefined };
      if (result.ok) return repo.finish(db, guard, { status: "succeeded", output: result.output });
      if (run.attempt < run.maxAttempts) {
        return repo.finish(db, guard, { status: "scheduled_retry", retryDelayMs, error: result.error, output: result.output });
      }
      const status = result.timedOut ? "timed_out" : "failed";
      return repo.finish(db, guard, {
        status,
        error: result.error,
        output: result.output,
        failureReason: `Heartbeat run ${status === "timed_out" ? "timed out" : "failed"} after ${run.attempt} attempt${run.attempt === 1 ? "" : "s"}: ${result.error}`,
      });
    },
  };
}

export type HeartbeatDispatchService = ReturnType<typeof createHeartbeatDispatchService>;
