/**
 * What the dispatcher needs from the database: claim runnable runs together with what their
 * deliveries need (one round trip), and record attempts' results (retry with backoff, or end the
 * run for good) — results that finish together are written together, in one statement.
 */
import type { AdapterType } from "../domain/enums";
import type { SecretBox } from "../domain/secret-box";
import type { Db, Store } from "../store/db";
import {
  type ClaimedDelivery,
  type DispatchClaim,
  type HeartbeatRunRow,
  type Outcome,
  heartbeatRunsRepo as repo,
} from "../store/repos/heartbeat-runs";
import { CHANNELS } from "../domain/channels";
import { createBatcher } from "../lib/batcher";
import { openEnv } from "../domain/routine-env";

/** NOTIFY channel of queued heartbeat runs (the payload is the agent id). */
const HEARTBEAT_CHANNEL = CHANNELS.heartbeatRuns;
import type { loadDelivery } from "./heartbeat-runs";

export { HEARTBEAT_CHANNEL, type HeartbeatRunRow };
/** LISTEN for NOTIFYs (the store's): the dispatcher wakes on the heartbeat channel. */
export type Listen = Store["listen"];

/** The result of one delivery attempt, as an adapter reports it (`code`: the HTTP status or exit code, when known). */
export type AttemptResult =
  | { ok: true; output?: string; code?: number }
  | { ok: false; timedOut: boolean; error: string; output?: string; code?: number };

export interface DeliveryTarget {
  /** The JSON body an agent receives: `{ heartbeatRun, issue, routineRun, agent: { id, name }, env }` (env: the routine's, decrypted). */
  payload: Awaited<ReturnType<typeof loadDelivery>> & { agent: { id: string; name: string }; env: Record<string, string> | null };
  agent: { id: string; adapterType: AdapterType; adapterConfig: Record<string, unknown>; deliverySecret?: string };
}

/** A claimed run and its delivery. */
export interface Claimed {
  run: HeartbeatRunRow;
  target: DeliveryTarget;
}

export type ClaimOptions = DispatchClaim;

export interface HeartbeatDispatchOptions {
  db: Db;
  secretBox: SecretBox;
  /** Most results written by one statement (default 500). */
  recordBatch?: number;
}

export function createHeartbeatDispatchService({ db, secretBox, recordBatch = 500 }: HeartbeatDispatchOptions) {
  // Decrypting an agent's delivery secret once per ciphertext, not once per delivery.
  const secrets = new Map<string, string>();
  function deliverySecret(ciphertext: string | null): string | undefined {
    if (!ciphertext) return undefined;
    let plain = secrets.get(ciphertext);
    if (plain === undefined) {
      plain = secretBox.decrypt(ciphertext);
      if (secrets.size >= 10_000) secrets.clear();
      secrets.set(ciphertext, plain);
    }
    return plain;
  }

  function toClaimed({ run, agent, issue, routineRun, routineEnv }: ClaimedDelivery): Claimed {
    return {
      run,
      target: {
        // The routine's env, decrypted only here, for the agent.
        payload: { heartbeatRun: run, issue, routineRun, agent: { id: agent.id, name: agent.name }, env: openEnv(routineEnv, secretBox) },
        agent: {
          id: agent.id,
          adapterType: agent.adapterType,
          adapterConfig: agent.adapterConfig,
          deliverySecret: deliverySecret(agent.deliverySecretCiphertext),
        },
      },
    };
  }

  // Results that arrive while a write is under way go together in the next one (group commit).
  const results = createBatcher<{ guard: { id: string; attempt: number; claimedBy?: string }; outcome: Outcome }, HeartbeatRunRow | undefined>(
    (items) => repo.finishMany(db, items),
    { maxBatch: recordBatch, maxInFlight: 2 },
  );

  return {
    reclaimExpired: () => repo.reclaimExpired(db),
    /** Claims runs with their deliveries (agent, issue, routine run) in one round trip. */
    claim: async (o: ClaimOptions): Promise<Claimed[]> => (await repo.claimDeliveries(db, o)).map(toClaimed),
    nextWakeInMs: () => repo.nextWakeInMs(db),

    /**
     * Records attempt `run.attempt`: succeeded; else retried after `retryDelayMs` while attempts
     * remain; else failed (or timed out) for good, failing the routine run. Undefined when the
     * claim is no longer current (the lease expired and another process took the run).
     */
    async record(run: HeartbeatRunRow, result: AttemptResult, retryDelayMs: number) {
      const guard = { id: run.id, attempt: run.attempt, claimedBy: run.claimedBy ?? undefined };
      return results.load({ guard, outcome: outcomeOf(run, result, retryDelayMs) });
    },
  };
}

/** How the attempt ends the run; the attempt's own record (outcome, code) is written with it. */
function outcomeOf(run: HeartbeatRunRow, result: AttemptResult, retryDelayMs: number): Outcome {
  const code = result.code ?? null;
  if (result.ok) return { status: "succeeded", output: result.output, code };
  if (run.attempt < run.maxAttempts) {
    return { status: "scheduled_retry", retryDelayMs, error: result.error, output: result.output, timedOut: result.timedOut, code };
  }
  const status = result.timedOut ? "timed_out" : "failed";
  return {
    status,
    error: result.error,
    output: result.output,
    timedOut: result.timedOut,
    code,
    failureReason: `Heartbeat run ${status === "timed_out" ? "timed out" : "failed"} after ${run.attempt} attempt${run.attempt === 1 ? "" : "s"}: ${result.error}`,
  };
}

export type HeartbeatDispatchService = ReturnType<typeof createHeartbeatDispatchService>;
