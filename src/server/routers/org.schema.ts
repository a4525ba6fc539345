import { z } from "zod";

export const RETENTION_DAYS_MIN = 1;
export const RETENTION_DAYS_MAX = 3650;

export const UpdateRetentionInput = z.object({
  retentionDays: z.number().int().min(RETENTION_DAYS_MIN).max(RETENTION_DAYS_MAX),
});
export type UpdateRetentionInput = z.infer<typeof UpdateRetentionInput>;
