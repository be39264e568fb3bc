/** Heartbeat runs as agents and the board see them, and the bodies of the agent-facing endpoints. */
import { z } from "zod";
import { adapterType, attemptOutcome, heartbeatStatus } from "../enums";
import { isoDateTime, timestamp, uuid } from "./common";

export const heartbeatRun = z.object({
  id: uuid,
  companyId: uuid,
  agentId: uuid,
  issueId: uuid.nullable(),
  routineRunId: uuid.nullable(),
  status: heartbeatStatus,
  attempt: z.number().int().describe("Attempts started so far"),
  maxAttempts: z.number().int(),
  runAfter: timestamp.describe("When the run may next be claimed (retry backoff)"),
  leaseExpiresAt: timestamp.nullable().describe("While running: when the claim lapses and the run is retried"),
  claimedBy: z.string().nullable(),
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  summary: z.string().nullable(),
  error: z.string().nullable(),
  output: z.string().nullable().optional().describe("Captured output of a process agent (last 64 KiB); not in lists"),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/** What an agent is woken with: the run, its execution issue and the routine run that made it. */
export const heartbeatDelivery = z.object({
  heartbeatRun,
  issue: z.record(z.string(), z.unknown()).nullable(),
  routineRun: z.record(z.string(), z.unknown()).nullable(),
});

export const claimBody = z.strictObject({
  waitSec: z.number().min(0).max(30).optional().describe("Long-poll: wait up to this long for a run (default 0)"),
});

export const completeBody = z.strictObject({
  status: z.enum(["succeeded", "failed"]),
  summary: z.string().max(20_000).optional(),
});

export const listHeartbeatRunsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.union([uuid, isoDateTime]).optional().describe("A run id (exclusive) or an ISO time: runs created before it"),
  status: heartbeatStatus.optional(),
  routineRunId: uuid.optional().describe("Only the heartbeat runs of this routine run (its delivery attempts and retries)"),
});

/** One delivery attempt of a heartbeat run. */
export const heartbeatAttempt = z.object({
  heartbeatRunId: uuid,
  attempt: z.number().int().describe("1 for the first attempt"),
  startedAt: timestamp.nullable(),
  finishedAt: timestamp,
  adapterType: adapterType.describe("The agent's adapter when the attempt was made"),
  outcome: attemptOutcome.describe("lease_lapsed: the holder reported no result before its lease expired"),
  code: z.number().int().nullable().describe("The HTTP status the agent answered or the command's exit code, when known"),
  error: z.string().nullable().describe("Why the attempt failed (at most 1000 characters)"),
});

export const listHeartbeatAttemptsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: z.coerce.number().int().min(0).optional().describe("An attempt number (exclusive): the attempts after it"),
});

export type ClaimBody = z.infer<typeof claimBody>;
export type CompleteBody = z.infer<typeof completeBody>;
export type ListHeartbeatRunsQuery = z.infer<typeof listHeartbeatRunsQuery>;
export type ListHeartbeatAttemptsQuery = z.infer<typeof listHeartbeatAttemptsQuery>;
