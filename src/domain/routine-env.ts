/**
 * A routine's `env`: variables handed to the agent with each heartbeat. Paperclip's bindings are accepted
 * (a string, or `{ type: "plain", value }`); values are encrypted at rest like webhook secrets and never
 * served back: a response shows each name with the value `REDACTED` (see `presentEnv`).
 */
import { unprocessable } from "./errors";
import type { SecretBox } from "./secret-box";

/** What is stored: per name, the encrypted value. */
export type StoredEnv = Record<string, { type: "plain"; ciphertext: string }>;

/** A binding as Paperclip's `envBindingSchema` accepts it. */
export type EnvBindingInput = string | { type: "plain"; value: string } | { type: "secret_ref" | "user_secret_ref"; [k: string]: unknown };

/** The value a response shows in place of a stored one; sent back unchanged in an update, it keeps the stored value. */
export const REDACTED = "***";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Encrypts an env for storage. `previous` is the stored env an update replaces: a value sent back as
 * `REDACTED` keeps the stored one. Secret references name Paperclip's secret store, which routined does
 * not have: 422 saying so.
 */
export function sealEnv(input: Record<string, EnvBindingInput>, box: SecretBox, previous: StoredEnv | null): StoredEnv {
  const out: StoredEnv = {};
  for (const [name, binding] of Object.entries(input)) {
    if (!NAME.test(name)) throw unprocessable(`env.${name}: names are letters, digits and _, not starting with a digit`);
    if (typeof binding !== "string" && binding.type !== "plain") {
      throw unprocessable(`env.${name}: ${binding.type} bindings refer to Paperclip's secret store, which routined does not have; send the value as { "type": "plain", "value": "..." }`);
    }
    const value = typeof binding === "string" ? binding : binding.value;
    const kept = previous?.[name];
    out[name] = value === REDACTED && kept ? kept : { type: "plain", ciphertext: box.encrypt(value) };
  }
  return out;
}

/** What a response shows: the names, never the values. */
export function presentEnv(env: StoredEnv | null): Record<string, { type: "plain"; value: string }> | null {
  if (!env) return null;
  return Object.fromEntries(Object.keys(env).map((name) => [name, { type: "plain" as const, value: REDACTED }]));
}

/** The plain values, for the agent. */
export function openEnv(env: StoredEnv | null, box: SecretBox): Record<string, string> | null {
  if (!env) return null;
  return Object.fromEntries(Object.entries(env).map(([name, v]) => [name, box.decrypt(v.ciphertext)]));
}
