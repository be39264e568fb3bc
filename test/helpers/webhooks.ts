/**
 * Signing webhook requests the way senders do, computed here with node:crypto (independently of the code under
 * test), and a raw-socket client for what `inject` cannot send (the same header twice).
 */
import crypto from "node:crypto";
import net from "node:net";

export type HeaderList = [string, string][];

export const hmacHex = (key: string | Buffer, ...parts: (string | Buffer)[]) => {
  const h = crypto.createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return h.digest("hex");
};

/** Paperclip `hmac_sha256`: HMAC over "<timestamp as sent>." + body. */
export const paperclip = (secret: string, body: string | Buffer, ts: number | string, prefix = "") => ({
  "x-paperclip-timestamp": String(ts),
  "x-paperclip-signature": prefix + hmacHex(secret, `${ts}.`, body),
});

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC over the body>`. */
export const github = (secret: string, body: string | Buffer, delivery?: string) => ({
  "x-hub-signature-256": `sha256=${hmacHex(secret, body)}`,
  ...(delivery ? { "x-github-delivery": delivery } : {}),
});

/** Standard Webhooks: key = base64 after `whsec_`, HMAC over "<id>.<ts>." + body, `v1,<base64>`. */
export const standard = (secret: string, id: string, ts: number, body: string | Buffer) => ({
  "webhook-id": id,
  "webhook-timestamp": String(ts),
  "webhook-signature": `v1,${crypto
    .createHmac("sha256", Buffer.from(secret.replace(/^whsec_/, ""), "base64"))
    .update(`${id}.${ts}.`)
    .update(body)
    .digest("base64")}`,
});

/** One HTTP/1.1 request over a plain socket, headers exactly as listed (repeats included). */
export function rawRequest(
  port: number,
  path: string,
  headers: HeaderList,
  body: Buffer,
): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const [head = "", ...rest] = text.split("\r\n\r\n");
      resolve({ status: Number(head.split(" ")[1]), headers: head, body: rest.join("\r\n\r\n") });
    });
    const lines = [
      `POST ${path} HTTP/1.1`,
      "Host: 127.0.0.1",
      "Connection: close",
      `Content-Length: ${body.length}`,
      ...headers.map(([k, v]) => `${k}: ${v}`),
    ];
    // Not end(): a half-closed socket may lose the response; the server closes it (Connection: close).
    socket.write(Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), body]));
  });
}
