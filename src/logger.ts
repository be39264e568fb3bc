/** The process logger: JSON lines, secrets redacted wherever they could appear. */
import pino, { type Logger } from "pino";

/** Header values that must never reach a log line. */
export const REDACTED_HEADERS = ["authorization", "x-paperclip-signature", "x-hub-signature-256", "webhook-signature"];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: REDACTED_HEADERS.flatMap((h) => [`req.headers["${h}"]`, `headers["${h}"]`]),
        censor: "[redacted]",
      },
    },
    destination,
  );
}
