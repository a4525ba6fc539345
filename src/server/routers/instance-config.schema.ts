import { z } from "zod";
import { Id } from "./common.schema";

// The config itself is checked by the version's own schema in the service (its issues come back
// in details.issues, per field); here only the envelope.
const Config = z.record(z.string(), z.unknown());

export const DeployInstanceInput = z.object({
  customerId: Id,
  versionId: Id,
  name: z.string().trim().max(200).optional(),
  config: Config,
  connections: z.record(z.string(), Id),
});
export type DeployInstanceInput = z.infer<typeof DeployInstanceInput>;

export const UpdateInstanceConfigInput = z.object({ instanceId: Id, config: Config, name: z.string().trim().max(200).optional() });
export type UpdateInstanceConfigInput = z.infer<typeof UpdateInstanceConfigInput>;
