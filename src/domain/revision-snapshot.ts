/**
 * A routine revision's snapshot, in Paperclip's `routineRevisionSnapshotV1` shape: the routine's editable
 * fields and its triggers. Never a secret: env values are shown redacted, webhook secrets are not in it.
 */
import { type StoredEnv, presentEnv } from "./routine-env";
import type { RoutineVariable } from "./routine-variables";

export interface SnapshotRoutine {
  id: string;
  companyId: string;
  projectId: string | null;
  folderId: string | null;
  goalId: string | null;
  parentIssueId: string | null;
  title: string;
  description: string | null;
  assigneeAgentId: string | null;
  priority: string;
  status: string;
  concurrencyPolicy: string;
  catchUpPolicy: string;
  activityGatePolicy: string;
  activityGateScope: string;
  variables: RoutineVariable[];
  env: StoredEnv | null;
  responsibleUserId: string | null;
}

export interface SnapshotTrigger {
  id: string;
  kind: string;
  label: string | null;
  enabled: boolean;
  cronExpression: string | null;
  timezone: string | null;
  publicId: string | null;
  signingMode: string | null;
  replayWindowSec: number | null;
}

export function buildSnapshot(r: SnapshotRoutine, triggers: SnapshotTrigger[]) {
  return {
    version: 1 as const,
    routine: {
      id: r.id,
      companyId: r.companyId,
      projectId: r.projectId,
      folderId: r.folderId,
      goalId: r.goalId,
      parentIssueId: r.parentIssueId,
      title: r.title,
      description: r.description,
      assigneeAgentId: r.assigneeAgentId,
      priority: r.priority,
      status: r.status,
      concurrencyPolicy: r.concurrencyPolicy,
      catchUpPolicy: r.catchUpPolicy,
      activityGatePolicy: r.activityGatePolicy,
      activityGateScope: r.activityGateScope,
      variables: r.variables,
      env: presentEnv(r.env),
      responsibleUserId: r.responsibleUserId,
    },
    triggers: triggers.map((t) => ({
      id: t.id,
      kind: t.kind,
      label: t.label,
      enabled: t.enabled,
      cronExpression: t.cronExpression,
      timezone: t.timezone,
      publicId: t.publicId,
      signingMode: t.signingMode,
      replayWindowSec: t.replayWindowSec,
    })),
  };
}

export type Snapshot = ReturnType<typeof buildSnapshot>;
