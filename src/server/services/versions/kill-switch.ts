import type { ExecutionsQueue } from "@/lib/queues";
import { recordAudit } from "../audit/record-audit";
import { requeueHeldRuns } from "../instances/requeue-held-runs";
import { getOwnedVersion } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { actorName } from "./actor-name";

// The kill switch: pause every running instance of one version at once (a bad release), and
// later resume exactly those. Instances paused for another reason before (by support, by the
// breaker) are left alone both ways: `pausedByVersionId` marks the ones the switch paused.

export async function pauseVersion(scope: OrgScope, input: { versionId: string }): Promise<{ paused: number }> {
  const version = await getOwnedVersion(scope, input.versionId);
  const statusReason = `version ${version.number} paused by ${await actorName(scope)}`;
  return scope.db.$transaction(async (tx) => {
    await tx.integrationVersion.update({ where: { id: version.id }, data: { paused: true } });
    const { count } = await tx.instance.updateMany({
      where: { organizationId: scope.organizationId, versionId: version.id, status: "ACTIVE", deletedAt: null },
      data: { status: "PAUSED", statusReason, pausedByVersionId: version.id },
    });
    await recordAudit(scope, { action: "integrationVersion.paused", targetType: "integrationVersion", targetId: version.id, data: { number: version.number, instances: count } }, tx);
    return { paused: count };
  });
}

export async function resumeVersion(scope: OrgScope, input: { versionId: string }, opts: { queue?: ExecutionsQueue } = {}): Promise<{ resumed: number }> {
  const version = await getOwnedVersion(scope, input.versionId);
  const ids = await scope.db.$transaction(async (tx) => {
    await tx.integrationVersion.update({ where: { id: version.id }, data: { paused: false } });
    const rows = await tx.instance.findMany({
      where: { organizationId: scope.organizationId, pausedByVersionId: version.id, status: "PAUSED", deletedAt: null },
      select: { id: true },
    });
    const ids = rows.map((r) => r.id);
    if (ids.length)
      await tx.instance.updateMany({
        where: { id: { in: ids } },
        data: { status: "ACTIVE", statusReason: null, pausedByVersionId: null, consecutiveFailures: 0 },
      });
    await recordAudit(scope, { action: "integrationVersion.resumed", targetType: "integrationVersion", targetId: version.id, data: { number: version.number, instances: ids.length } }, tx);
    return ids;
  });
  await requeueHeldRuns(scope.db, ids, opts.queue);
  return { resumed: ids.length };
}
