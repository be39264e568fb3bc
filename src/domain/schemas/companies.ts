import { z } from "zod";
import { description, timestamp, trimmed, uuid } from "./common";

export const createCompanyBody = z.strictObject({
  name: trimmed(1, 200),
  description: description.optional(),
  /** Prefix of issue identifiers (`ACME-12`); derived from the name when omitted. */
  issuePrefix: z
    .string()
    .regex(/^[A-Z][A-Z0-9]{1,9}$/, "must be 2-10 upper-case letters or digits, starting with a letter")
    .optional(),
});

export const updateCompanyBody = z
  .strictObject({ name: trimmed(1, 200), description })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: "at least one field is required" });

export const company = z.object({
  id: uuid,
  name: z.string(),
  description: z.string().nullable(),
  issuePrefix: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export type CreateCompanyBody = z.infer<typeof createCompanyBody>;
export type UpdateCompanyBody = z.infer<typeof updateCompanyBody>;

/** `Acme Robotics` → `AR`; `routined` → `ROU`. */
export function derivePrefix(name: string): string {
  const words = name.toUpperCase().match(/[A-Z][A-Z0-9]*/g) ?? [];
  const prefix = words.length >= 2 ? words.map((w) => w[0]).join("").slice(0, 4) : (words[0] ?? "").slice(0, 3);
  return prefix.length >= 2 ? prefix : "RTN";
}
