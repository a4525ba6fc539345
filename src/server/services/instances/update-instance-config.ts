import { cachedBundle, loadBundle } from "@/engine/bundle/load-bundle";
import type { Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit } from "../audit/record-audit";
import { syncInstanceSchedules } from "../executions/sync-instance-schedules";
import { getOwnedInstance, getOwnedVersion } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { getInstance, type InstanceDetail } from "./get-instance";

export interface UpdateInstanceConfigInput {
  instanceId: string;
  /** The whole new config (not a patch): validated, defaults applied, by the instance's version. */
  config: Record<string, unknown>;
  name?: string;
}

/**
 * Replaces an instance's config with one its own version's schema accepts (the same check as
 * deployInstance). Runs already queued keep the config they were queued with only when a
 * version change captured it; otherwise the next attempt reads the new config — that is the
 * point of editing it. Schedules are re-synced because a schedule's time zone may come from config.
 */
export async function updateInstanceConfig(scope: OrgScope, input: UpdateInstanceConfigInput): Promise<InstanceDetail> {
  const instance = await getOwnedInstance(scope, input.instanceId);
  const version = await getOwnedVersion(scope, instance.versionId);
  const def = cachedBundle(version.sha256) ?? loadBundle({ sha256: version.sha256, code: version.bundle });
  const parsed = def.config.safeParse(input.config ?? {});
  if (!parsed.success)
    throw new AppError("BAD_INPUT", "config does not match the integration's settings", {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    });

  const before = (instance.config ?? {}) as Record<string, unknown>;
  const after = parsed.data as Record<string, unknown>;
  // Keys only: config is not secret, but the audit log is read by every owner and should stay small.
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
  const name = input.name?.trim();
  await scope.db.$transaction(async (tx) => {
    // Conditional on the version it was validated against: an upgrade in between must not get a config it never checked.
    const updated = await tx.instance.updateMany({
      where: { id: instance.id, versionId: version.id, deletedAt: null },
      data: { config: after as Prisma.InputJsonValue, ...(name ? { name } : {}) },
    });
    if (updated.count === 0) throw new AppError("CONFLICT", "the instance changed version meanwhile; reload and try again");
    await recordAudit(
      scope,
      { action: "instance.configUpdated", targetType: "instance", targetId: instance.id, data: { versionId: version.id, changed, ...(name && name !== instance.name ? { renamed: true } : {}) } },
      tx,
    );
  });
  await syncInstanceSchedules(scope.db, instance.id);
  return getInstance(scope, instance.id);
}
