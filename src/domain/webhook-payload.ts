/**
 * What a verified webhook body becomes as the run's `triggerPayload`. Pure. JSON object → itself; empty → `{}`;
 * JSON array or scalar → `{ body: value }`; any other content type → `{ contentType, body: "<text>" }`.
 * Everything returned can be stored as jsonb: PostgreSQL refuses `\u0000` and unpaired surrogates, so those are
 * replaced by U+FFFD, as invalid UTF-8 is in text bodies.
 */

export type WebhookPayloadResult = { ok: true; payload: Record<string, unknown> } | { ok: false; error: string };

/** Deeper JSON is refused: it would overflow the stack of JSON.stringify when the run is stored. */
export const MAX_JSON_DEPTH = 64;

const JSON_MEDIA = /^(?:application\/(?:[\w.+-]+\+)?json|text\/json)$/;
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** `application/json`, `application/<anything>+json` and `text/json`, any parameters, any case. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return JSON_MEDIA.test(contentType.split(";")[0]!.trim().toLowerCase());
}

export const storableText = (text: string) => text.replace(UNSTORABLE, "\ufffd");

export function webhookPayload(rawBody: Buffer, contentType: string | undefined): WebhookPayloadResult {
  if (rawBody.length === 0) return { ok: true, payload: {} };
  if (!isJsonContentType(contentType)) {
    return { ok: true, payload: { contentType: contentType ?? null, body: storableText(rawBody.toString("utf8")) } };
  }
  let text: string;
  try {
    text = strictUtf8.decode(rawBody);
  } catch {
    return { ok: false, error: "Malformed JSON body: it is not valid UTF-8" };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `Malformed JSON body: ${(err as Error).message}` };
  }
  if (!withinDepth(value, MAX_JSON_DEPTH)) {
    return { ok: false, error: `Malformed JSON body: nested deeper than ${MAX_JSON_DEPTH} levels` };
  }
  const clean = makeStorable(value);
  return { ok: true, payload: isPlainObject(clean) ? clean : { body: clean } };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Iterative, so that a body of 100,000 nested brackets cannot overflow the stack while being measured. */
function withinDepth(root: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (depth > max) return false;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return true;
}

/** Replaces unstorable characters in strings and keys, in place (depth is already bounded). */
function makeStorable(value: unknown): unknown {
  if (typeof value === "string") return storableText(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = makeStorable(value[i]);
    return value;
  }
  if (!isPlainObject(value)) return value;
  for (const key of Object.keys(value)) {
    const cleanKey = storableText(key);
    const cleanValue = makeStorable(value[key]);
    // defineProperty, not assignment: a key named "__proto__" stays a plain data property.
    if (cleanKey !== key) delete value[key];
    Object.defineProperty(value, cleanKey, { value: cleanValue, enumerable: true, writable: true, configurable: true });
  }
  return value;
}
