import { z } from "zod";
import { goalStatus, projectStatus } from "../enums";
import { description, timestamp, trimmed, uuid } from "./common";

export const createProjectBody = z.strictObject({
  name: trimmed(1, 200),
  description: description.optional(),
  status: projectStatus.optional(),
});
export const updateProjectBody = z
  .strictObject({ name: trimmed(1, 200), description, status: projectStatus })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: "at least one field is required" });
export const project = z.object({
  id: uuid,
  companyId: uuid,
  name: z.string(),
  description: z.string().nullable(),
  status: projectStatus,
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const createGoalBody = z.strictObject({
  title: trimmed(1, 200),
  description: description.optional(),
  status: goalStatus.optional(),
  parentId: uuid.nullable().optional(),
});
export const updateGoalBody = z
  .strictObject({ title: trimmed(1, 200), description, status: goalStatus, parentId: uuid.nullable() })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: "at least one field is required" });
export const goal = z.object({
  id: uuid,
  companyId: uuid,
  title: z.string(),
  description: z.string().nullable(),
  status: goalStatus,
  parentId: uuid.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export type CreateProjectBody = z.infer<typeof createProjectBody>;
export type UpdateProjectBody = z.infer<typeof updateProjectBody>;
export type CreateGoalBody = z.infer<typeof createGoalBody>;
export type UpdateGoalBody = z.infer<typeof updateGoalBody>;
