import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, isJsonContentType, webhookPayload } from "../../src/domain/webhook-payload";

const parse = (body: string | Buffer, contentType?: string) => webhookPayload(Buffer.from(body), contentType);

describe("webhook payloads", () => {
  it.each([
    ["application/json", true],
    ["Application/JSON; charset=UTF-8", true],
    ["application/vnd.github+json", true],
    ["application/cloudevents+json", true],
    ["text/json", true],
    ["application/jsonp", false],
    ["application/json-patch", false],
    ["text/plain", false],
    ["", false],
    [undefined, false],
  ])("%s is JSON: %s", (contentType, json) => expect(isJsonContentType(contentType)).toBe(json));

  it("keeps a key named __proto__ as data, never as the prototype", () => {
    const result = parse('{"__proto__":{"polluted":true},"a":"\\u0000"}', "application/json");
    expect(result.ok).toBe(true);
    const payload = (result as { payload: Record<string, unknown> }).payload;
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
    expect(Object.keys(payload)).toEqual(["__proto__", "a"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("replaces unstorable characters in keys too", () => {
    expect(parse('{"k\\u0000":1,"\\udc00":2}', "application/json")).toEqual({ ok: true, payload: { "k\ufffd": 1, "\ufffd": 2 } });
  });

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses one more`, () => {
    const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
    expect(parse(nested(MAX_JSON_DEPTH), "application/json").ok).toBe(true);
    expect(parse(nested(MAX_JSON_DEPTH + 1), "application/json")).toEqual({ ok: false, error: expect.stringContaining("nested deeper") });
  });

  it("reads a JSON body with a UTF-8 byte order mark", () => {
    expect(parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]), "application/json")).toEqual({ ok: true, payload: { a: 1 } });
  });

  it("wraps JSON null as { body: null }", () => {
    expect(parse("null", "application/json")).toEqual({ ok: true, payload: { body: null } });
  });
});
