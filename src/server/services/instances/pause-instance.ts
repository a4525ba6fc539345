import { recordAudit } from "../audit/record-audit";
import { syncInstanceSchedules } from "../executions/sync-instance-schedules";
import { getOwnedInstance } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { actorName } from "../versions/actor-name";
import { getInstance, type InstanceDetail } from "./get-instance";

/** Pauses one instance: its new and queued runs are held (not lost) until it is resumed. */
export async function pauseInstance(scope: OrgScope, input: { instanceId: string; reason?: string }): Promise<InstanceDetail> {
  const instance = await getOwnedInstance(scope, input.instanceId);
  if (instance.status !== "PAUSED") {
    const statusReason = input.reason?.trim() || `paused by ${await actorName(scope)}`;
    await scope.db.$transaction(async (tx) => {
      await tx.instance.update({ where: { id: instance.id }, data: { status: "PAUSED", statusReason, pausedByVersionId: null } });
      await recordAudit(scope, { action: "instance.paused", targetType: "instance", targetId: instance.id, data: { reason: statusReason } }, tx);
    });
    await syncInstanceSchedules(scope.db, instance.id);
  }
  return getInstance(scope, instance.id);
}
