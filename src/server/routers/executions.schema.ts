import { z } from "zod";
import { ErrorClass, ExecutionStatus } from "@/generated/prisma/enums";
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

export const RunManuallyInput = z.object({
  instanceId: Id,
  flowKey: z.string().min(1).max(63),
  payload: z.unknown().optional(),
});

export const CancelExecutionInput = z.object({ id: Id });

export const ReplayExecutionInput = z.object({
  id: Id,
  fromStep: z.number().int().min(1).optional(),
});

export const ReplayManyInput = z.object({ ids: z.array(Id).min(1).max(500) });

export const ReplayFailedInput = z.object({
  instanceId: Id.optional(),
  customerId: Id.optional(),
  flowKey: z.string().min(1).max(63).optional(),
  errorClass: z.enum(ErrorClass).optional(),
  since: z.date().optional(),
});
