/**
 * Wakes long-polling agents: one LISTEN on the heartbeat channel per process, fanned out to the
 * waiters of the agent named in each NOTIFY.
 */
import type { Store } from "../store/db";
import { CHANNELS } from "../domain/channels";
import { type WakeSignal, createWakeSignal } from "../lib/wake-signal";

export interface Waiter {
  wait: WakeSignal["wait"];
  close(): void;
}

export function createAgentWakeups(listen: Store["listen"] | undefined) {
  const waiters = new Map<string, Set<WakeSignal>>();
  let listening: Promise<unknown> | undefined;

  /** The agent named in a NOTIFY; an empty payload (the LISTEN connection is back, a NOTIFY may be lost) wakes all. */
  function onNotify(agentId: string) {
    const sets = agentId ? [waiters.get(agentId) ?? []] : waiters.values();
    for (const set of sets) for (const signal of set) signal.notify();
  }

  return {
    /** How many claims of this agent are waiting right now. */
    waiting: (agentId: string): number => waiters.get(agentId)?.size ?? 0,
    /** Starts listening (once per process) and registers a waiter for `agentId`. */
    async subscribe(agentId: string): Promise<Waiter> {
      if (listen) {
        listening ??= listen(CHANNELS.heartbeatRuns, onNotify).catch((err) => {
          listening = undefined;
          throw err;
        });
        await listening;
      }
      const signal = createWakeSignal();
      const set = waiters.get(agentId) ?? new Set();
      set.add(signal);
      waiters.set(agentId, set);
      return {
        wait: signal.wait,
        close() {
          set.delete(signal);
          if (set.size === 0 && waiters.get(agentId) === set) waiters.delete(agentId);
        },
      };
    },
  };
}

export type AgentWakeups = ReturnType<typeof createAgentWakeups>;
