import { AppError } from "@/lib/errors";
import { recordAudit } from "../audit/record-audit";
import { getOwnedVersion } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";

/**
 * Deprecates a version (no new deployments or upgrades onto it; its instances keep running and
 * may still be rolled back onto it), or with `deprecated: false` publishes it again.
 */
export async function deprecateVersion(scope: OrgScope, input: { versionId: string; deprecated: boolean }) {
  const version = await getOwnedVersion(scope, input.versionId);
  if (version.status === "DRAFT") throw new AppError("CONFLICT", `version ${version.number} is a draft`);
  const status = input.deprecated ? "DEPRECATED" : "PUBLISHED";
  if (version.status === status) return { id: version.id, number: version.number, status };
  return scope.db.$transaction(async (tx) => {
    const updated = await tx.integrationVersion.update({ where: { id: version.id }, data: { status }, select: { id: true, number: true, status: true } });
    await recordAudit(scope, { action: input.deprecated ? "integrationVersion.deprecated" : "integrationVersion.undeprecated", targetType: "integrationVersion", targetId: version.id, data: { number: version.number } }, tx);
    return updated;
  });
}
