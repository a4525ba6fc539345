import { z } from "zod";
import { Id } from "./common.schema";

export const ListConnectionsInput = z.object({ customerId: Id, appKey: z.string().trim().min(1).max(100).optional() });
export type ListConnectionsInput = z.infer<typeof ListConnectionsInput>;

/** The console creates API-key connections only; OAuth needs the customer's own consent (marketplace). */
export const CreateApiKeyConnectionInput = z.object({
  customerId: Id,
  appKey: z.string().trim().min(1).max(100),
  apiKey: z.string().trim().min(1, "Enter the API key").max(4096),
  label: z.string().trim().max(200).optional(),
});
export type CreateApiKeyConnectionInput = z.infer<typeof CreateApiKeyConnectionInput>;
