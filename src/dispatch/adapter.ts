/** The contract between the dispatcher and the ways it wakes an agent (one file per adapter). */
import type { AttemptResult, DeliveryTarget } from "../services/heartbeat-dispatch";

export type { AttemptResult, DeliveryTarget };

export interface DeliveryRequest extends DeliveryTarget {
  /** Stable across the attempts of one heartbeat run (Standard Webhooks `webhook-id`). */
  deliveryId: string;
  timeoutMs: number;
  /** Aborted when the dispatcher abandons the delivery (stop without waiting): give up at once. */
  signal: AbortSignal;
}

export interface Adapter {
  /** Never throws: every failure is an `AttemptResult` the dispatcher records. */
  deliver(request: DeliveryRequest): Promise<AttemptResult>;
}

/** Keeps the last `limit` bytes of a stream of chunks: what a run's `output` shows. */
export function boundedOutput(limit = 64 * 1024) {
  const chunks: Buffer[] = [];
  let size = 0;
  let dropped = false;
  return {
    push(chunk: Buffer) {
      chunks.push(chunk);
      size += chunk.length;
      while (size > limit && chunks.length > 0) {
        const first = chunks[0]!;
        const excess = size - limit;
        if (first.length <= excess) {
          chunks.shift();
          size -= first.length;
        } else {
          chunks[0] = first.subarray(excess);
          size -= excess;
        }
        dropped = true;
      }
    },
    text(): string {
      const text = Buffer.concat(chunks).toString("utf8");
      return dropped ? `[… earlier output dropped]\n${text}` : text;
    },
  };
}
