/** The process logger: JSON lines, secrets redacted wherever they could appear. */
import pino, { type Logger } from "pino";

/** Header values that must never reach a log line. */
export const REDACTED_HEADERS = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "x-paperclip-signature",
  "x-hub-signature-256",
  "webhook-signature",
];

/** Fields that hold a secret or its ciphertext, wherever an object carrying them is logged. */
export const REDACTED_FIELDS = ["webhookSecret", "secretCiphertext", "secretMaterial"];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          ...REDACTED_HEADERS.flatMap((h) => [`req.headers["${h}"]`, `headers["${h}"]`]),
          ...REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`]),
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
