import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { generateDeliverySecret, signDelivery } from "../../src/domain/delivery-signature";

describe("delivery signatures", () => {
  it("makes secrets of 24 random bytes with the whsec_ prefix", () => {
    const secret = generateDeliverySecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(24);
    expect(generateDeliverySecret()).not.toBe(secret);
  });

  it("produces headers that the Standard Webhooks reference library verifies", () => {
    const secret = generateDeliverySecret();
    const body = JSON.stringify({ hello: "wörld" });
    const headers = signDelivery(secret, "run-1.1", new Date(), body);
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual({ hello: "wörld" });
  });

  it("does not verify with another secret or a changed body", () => {
    const secret = generateDeliverySecret();
    const headers = signDelivery(secret, "run-1.1", new Date(), "{}");
    expect(() => new Webhook(generateDeliverySecret()).verify("{}", { ...headers })).toThrow();
    expect(() => new Webhook(secret).verify('{"a":1}', { ...headers })).toThrow();
  });
});
