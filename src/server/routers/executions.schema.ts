import { z } from "zod";
import { ExecutionStatus } from "@/generated/prisma/enums";
import { Id } from "./common.schema";

export const ExecutionStatusSchema = z.enum(ExecutionStatus);

export const ListExecutionsInput = z.object({
  status: ExecutionStatusSchema.optional(),
  instanceId: Id.optional(),
  customerId: Id.optional(),
  reference: z.string().trim().min(1).max(200).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100).default(50),
});
export type ListExecutionsInput = z.input<typeof ListExecutionsInput>;

export const GetExecutionInput = z.object({ id: Id });
export type GetExecutionInput = z.infer<typeof GetExecutionInput>;
