import { z } from "zod";
import { SliceSpec } from "../services/versions/rollout-slice";
import { Id } from "./common.schema";

export const VersionIdInput = z.object({ versionId: Id });
export type VersionIdInput = z.infer<typeof VersionIdInput>;

export const DeprecateVersionInput = z.object({ versionId: Id, deprecated: z.boolean().default(true) });
export type DeprecateVersionInput = z.infer<typeof DeprecateVersionInput>;

export const StartRolloutInput = z.object({ fromVersionId: Id, toVersionId: Id, slice: SliceSpec });
export type StartRolloutInput = z.infer<typeof StartRolloutInput>;

export const RolloutIdInput = z.object({ rolloutId: Id });
export type RolloutIdInput = z.infer<typeof RolloutIdInput>;

export const IntegrationKeyInput = z.object({ key: z.string().trim().min(1).max(100) });
export type IntegrationKeyInput = z.infer<typeof IntegrationKeyInput>;

export const SetVisibilityInput = z.object({
  integrationId: Id,
  audience: z.enum(["hidden", "all", "labels"]),
  labels: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
});
export type SetVisibilityInput = z.infer<typeof SetVisibilityInput>;

export const UpgradeInstanceInput = z.object({ instanceId: Id, versionId: Id });
export type UpgradeInstanceInput = z.infer<typeof UpgradeInstanceInput>;

export const InstanceIdInput = z.object({ instanceId: Id });
export const PauseInstanceInput = z.object({ instanceId: Id, reason: z.string().trim().max(500).optional() });
export type PauseInstanceInput = z.infer<typeof PauseInstanceInput>;
