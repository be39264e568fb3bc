/** A request that arrives while the server shuts down is answered 503 with Retry-After, so clients retry it. */
import net from "node:net";
import { expect, it } from "vitest";
import { createTestApp } from "../helpers/app";

it("answers requests that arrive during shutdown with 503 and Retry-After", { timeout: 120_000 }, async () => {
  const t = await createTestApp();
  try {
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    const port = (t.app.server.address() as net.AddressInfo).port;
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (c) => (text += c));
    const ended = new Promise((resolve) => socket.on("close", resolve));
    // A request whose headers are still arriving when shutdown begins: it is dispatched after.
    socket.write(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    await new Promise((r) => setTimeout(r, 300));
    const closed = t.app.close();
    await new Promise((r) => setTimeout(r, 200));
    socket.write("\r\n");
    await ended;
    await closed;
    expect(text).toMatch(/^HTTP\/1\.1 503/);
    expect(text).toMatch(/\r\nretry-after: 5\r\n/i);
    expect(text).toContain('{"error":"The server is shutting down: retry shortly","retryAfterSeconds":5}');
  } finally {
    await t.db.drop();
  }
});
