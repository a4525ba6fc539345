import { z } from "zod";

// The vendor's own id for its customer: printable, no slashes (it is a URL path segment in REST).
export const ExternalId = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^/\s]+$/, "no spaces or slashes");

const Labels = z.array(z.string().trim().min(1).max(100)).max(50);

export const UpsertCustomerInput = z.object({
  externalId: ExternalId,
  name: z.string().trim().max(200).nullish(),
  labels: Labels.optional(),
});
export type UpsertCustomerInput = z.infer<typeof UpsertCustomerInput>;

export const UpdateCustomerInput = z.object({
  name: z.string().trim().max(200).nullish(),
  labels: Labels.optional(),
});
export type UpdateCustomerInput = z.infer<typeof UpdateCustomerInput>;
