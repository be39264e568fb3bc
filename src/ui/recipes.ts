/**
 * Ready-to-paste ways to call a webhook trigger, per signing mode: the shell (curl + openssl) and
 * Node (18+, no dependencies). The same as docs/webhooks.md; both read URL and SECRET from the environment.
 */
export interface Recipe {
  shell: string;
  node: string;
}

function exports(url: string, secret: string | undefined) {
  return `export URL='${url}'\nexport SECRET='${secret ?? "<the secret shown when the trigger was created or rotated>"}'\n`;
}

const nodeHead = (mode: string) => `// fire-${mode}.mjs — run: URL='…' SECRET='…' node fire-${mode}.mjs   (Node 18+)\n`;

export function recipe(mode: string, url: string, secret?: string): Recipe {
  const head = exports(url, secret);
  switch (mode) {
    case "hmac_sha256":
      return {
        shell: `${head}BODY='{"event":"deploy","ref":"main"}'
TS=$(date +%s)
SIG=$(printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //')
curl -sS -X POST "$URL" \\
  -H 'Content-Type: application/json' \\
  -H "X-Paperclip-Timestamp: $TS" \\
  -H "X-Paperclip-Signature: sha256=$SIG" \\
  --data-binary "$BODY"`,
        node: `${nodeHead("hmac")}import { createHmac, randomUUID } from "node:crypto";

const body = JSON.stringify({ event: "deploy", ref: "main" });
const timestamp = String(Math.floor(Date.now() / 1000));
const signature = createHmac("sha256", process.env.SECRET).update(\`\${timestamp}.\${body}\`).digest("hex");
const res = await fetch(process.env.URL, {
  method: "POST",
  headers: {
    "Content-Type": "application/json",
    "X-Paperclip-Timestamp": timestamp,
    "X-Paperclip-Signature": \`sha256=\${signature}\`,
    "Idempotency-Key": randomUUID(), // reuse it (re-signed) when you retry this same event
  },
  body,
});
console.log(res.status, await res.json());`,
      };
    case "github_hmac":
      return {
        shell: `${head}BODY='{"action":"published","release":{"tag_name":"v1.2.3"}}'
SIG=$(printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //')
curl -sS -X POST "$URL" \\
  -H 'Content-Type: application/json' \\
  -H "X-GitHub-Event: release" \\
  -H "X-GitHub-Delivery: $(cat /proc/sys/kernel/random/uuid 2>/dev/null || uuidgen)" \\
  -H "X-Hub-Signature-256: sha256=$SIG" \\
  --data-binary "$BODY"`,
        node: `${nodeHead("github")}import { createHmac, randomUUID } from "node:crypto";

const body = JSON.stringify({ action: "published", release: { tag_name: "v1.2.3" }, sentAt: new Date().toISOString() });
const signature = createHmac("sha256", process.env.SECRET).update(body).digest("hex");
const res = await fetch(process.env.URL, {
  method: "POST",
  headers: {
    "Content-Type": "application/json",
    "X-GitHub-Event": "release",
    "X-GitHub-Delivery": randomUUID(),
    "X-Hub-Signature-256": \`sha256=\${signature}\`,
  },
  body,
});
console.log(res.status, await res.json());`,
      };
    case "standard_webhooks":
      return {
        shell: `${head}BODY='{"type":"invoice.paid","data":{"id":"in_123"}}'
ID="msg_$(date +%s%N)"
TS=$(date +%s)
KEY_HEX=$(printf '%s' "\${SECRET#whsec_}" | base64 -d | od -An -v -tx1 | tr -d ' \\n')
SIG=$(printf '%s.%s.%s' "$ID" "$TS" "$BODY" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEY_HEX" -binary | base64)
curl -sS -X POST "$URL" \\
  -H 'Content-Type: application/json' \\
  -H "webhook-id: $ID" \\
  -H "webhook-timestamp: $TS" \\
  -H "webhook-signature: v1,$SIG" \\
  --data-binary "$BODY"`,
        node: `${nodeHead("standard")}import { createHmac, randomUUID } from "node:crypto";

const key = Buffer.from(process.env.SECRET.replace(/^whsec_/, ""), "base64");
const body = JSON.stringify({ type: "invoice.paid", data: { id: "in_123" } });
const id = \`msg_\${randomUUID()}\`;
const timestamp = String(Math.floor(Date.now() / 1000));
const signature = createHmac("sha256", key).update(\`\${id}.\${timestamp}.\${body}\`).digest("base64");
const res = await fetch(process.env.URL, {
  method: "POST",
  headers: {
    "Content-Type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": timestamp,
    "webhook-signature": \`v1,\${signature}\`,
  },
  body,
});
console.log(res.status, await res.json());`,
      };
    default:
      return {
        shell: `${head}curl -sS -X POST "$URL" \\
  -H "Authorization: Bearer $SECRET" \\
  -H 'Content-Type: application/json' \\
  --data-binary '{"event":"deploy","ref":"main"}'`,
        node: `${nodeHead("bearer")}const res = await fetch(process.env.URL, {
  method: "POST",
  headers: { Authorization: \`Bearer \${process.env.SECRET}\`, "Content-Type": "application/json" },
  body: JSON.stringify({ event: "deploy", ref: "main" }),
});
console.log(res.status, await res.json());`,
      };
  }
}
