/** LISTEN/NOTIFY channels: how one process tells the others (and itself) that work is waiting. */
export const CHANNELS = {
  /** Schedule triggers changed: schedulers re-read the earliest due time. */
  triggers: "routined_triggers",
  /** Heartbeat runs were queued; the payload is the agent id. */
  heartbeatRuns: "routined_heartbeat_runs",
} as const;
