import type { ExecutionsQueue } from "@/lib/queues";
import { recordAudit } from "../audit/record-audit";
import { syncInstanceSchedules } from "../executions/sync-instance-schedules";
import { getOwnedInstance } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { getInstance, type InstanceDetail } from "./get-instance";
import { requeueHeldRuns } from "./requeue-held-runs";

/**
 * Resumes a paused (or needs-attention) instance and queues the runs it held. The failure
 * counter starts again from zero: resuming is a person saying "try again".
 */
export async function resumeInstance(scope: OrgScope, input: { instanceId: string }, opts: { queue?: ExecutionsQueue } = {}): Promise<InstanceDetail> {
  const instance = await getOwnedInstance(scope, input.instanceId);
  if (instance.status !== "ACTIVE") {
    await scope.db.$transaction(async (tx) => {
      await tx.instance.update({
        where: { id: instance.id },
        data: { status: "ACTIVE", statusReason: null, pausedByVersionId: null, consecutiveFailures: 0 },
      });
      await recordAudit(scope, { action: "instance.resumed", targetType: "instance", targetId: instance.id }, tx);
    });
    await requeueHeldRuns(scope.db, [instance.id], opts.queue);
    await syncInstanceSchedules(scope.db, instance.id);
  }
  return getInstance(scope, instance.id);
}
