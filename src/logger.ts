/**
 * The process logger: JSON lines (or readable lines for a person at a terminal), secrets redacted
 * wherever they could appear.
 */
import pino, { type Logger } from "pino";
import pretty from "pino-pretty";

/** Header values that must never reach a log line. */
export const REDACTED_HEADERS = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "x-paperclip-signature",
  "x-hub-signature-256",
  "webhook-signature",
];

/** Fields that hold a secret, a key or its ciphertext, wherever an object carrying them is logged. */
export const REDACTED_FIELDS = [
  "webhookSecret",
  "secretCiphertext",
  "secretMaterial",
  "secret",
  "key",
  "token",
  "boardToken",
  "secretKey",
  "databaseUrl",
  "password",
];

export type LogFormat = "json" | "pretty";

export function createLogger(level: string, destination?: pino.DestinationStream, format: LogFormat = "json"): Logger {
  const stream = destination ?? (format === "pretty" ? pretty({ colorize: Boolean(process.stdout.isTTY), sync: true }) : undefined);
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
    stream,
  );
}
