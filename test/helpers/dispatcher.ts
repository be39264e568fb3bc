/**
 * A dispatcher as the tests build it: the real http and process adapters (the process adapter's API URL is
 * http://routined.test), a 5 s delivery timeout and leases of that timeout; the options given override these.
 */
import { type DispatcherOptions, createDispatcher } from "../../src/dispatch/dispatcher";
import { createHttpAdapter } from "../../src/dispatch/http-adapter";
import { type ProcessAdapterOptions, createProcessAdapter } from "../../src/dispatch/process-adapter";

export interface TestDispatcherOptions extends Omit<DispatcherOptions, "adapters" | "timeoutMs" | "leaseMs"> {
  /** The operator's process policy (a test app's `config.adapters.process`). */
  processPolicy: ProcessAdapterOptions["policy"];
  /** Local http targets allowed (ROUTINED_HTTP_ADAPTER_ALLOW_LOCAL; default true: test agents listen on loopback). */
  allowLocal?: boolean;
  killGraceMs?: number;
  timeoutMs?: number;
  leaseMs?: number;
}

export function testDispatcher({ processPolicy, allowLocal = true, killGraceMs, ...options }: TestDispatcherOptions) {
  return createDispatcher({
    adapters: {
      http: createHttpAdapter({ allowLocal }),
      process: createProcessAdapter({ apiUrl: "http://routined.test", policy: processPolicy, ...(killGraceMs === undefined ? {} : { killGraceMs }) }),
    },
    timeoutMs: 5_000,
    leaseMs: 0,
    ...options,
  });
}
