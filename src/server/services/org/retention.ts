import { FINISHED_STATUSES } from "@/engine/retention/delete-expired-runs";
import type { UpdateRetentionInput } from "../../routers/org.schema";
import type { OrgScope } from "../../tenancy/scope";
import { recordAudit } from "../audit/record-audit";

export type RetentionSetting = {
  retentionDays: number;
  /** Finished runs already past the period: the next cleanup pass deletes them. */
  expiredRuns: number;
};

const DAY_MS = 24 * 60 * 60_000;

/** How long this organization keeps finished runs (src/engine/retention deletes older ones). */
export async function getRetention(scope: OrgScope): Promise<RetentionSetting> {
  const org = await scope.db.organization.findUniqueOrThrow({ where: { id: scope.organizationId }, select: { retentionDays: true } });
  return { retentionDays: org.retentionDays, expiredRuns: await countExpired(scope, org.retentionDays) };
}

async function countExpired(scope: OrgScope, retentionDays: number): Promise<number> {
  const cutoff = new Date(Date.now() - retentionDays * DAY_MS);
  return scope.db.execution.count({
    where: {
      organizationId: scope.organizationId,
      status: { in: [...FINISHED_STATUSES] },
      OR: [{ finishedAt: { lt: cutoff } }, { finishedAt: null, queuedAt: { lt: cutoff } }],
    },
  });
}

/** Owners only (the router says so). Shortening the period takes effect at the next cleanup pass. */
export async function updateRetention(scope: OrgScope, input: UpdateRetentionInput): Promise<RetentionSetting> {
  const before = await scope.db.organization.findUniqueOrThrow({ where: { id: scope.organizationId }, select: { retentionDays: true } });
  if (before.retentionDays !== input.retentionDays) {
    await scope.db.$transaction(async (tx) => {
      await tx.organization.update({ where: { id: scope.organizationId }, data: { retentionDays: input.retentionDays } });
      await recordAudit(
        scope,
        { action: "organization.retentionChanged", targetType: "Organization", targetId: scope.organizationId, data: { from: before.retentionDays, to: input.retentionDays } },
        tx,
      );
    });
  }
  return { retentionDays: input.retentionDays, expiredRuns: await countExpired(scope, input.retentionDays) };
}
