import { AppError } from "@/lib/errors";
import { executionJobId, type ExecutionsQueue } from "@/lib/queues";
import { getOwnedExecution } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { recordAudit } from "../audit/record-audit";
import { getExecutionsQueue } from "./run-queues";

/**
 * Cancels a run that has not started (QUEUED) or waits for its next attempt (RETRYING). The
 * status change is conditional, so it races the executor's claim safely: whichever commits
 * first wins, and the executor never claims a CANCELLED row. A RUNNING run cannot be cancelled
 * (CONFLICT): its side effects may be under way. Removing the queued job is only tidiness.
 */
export async function cancelExecution(scope: OrgScope, id: string, queue?: ExecutionsQueue) {
  const owned = await getOwnedExecution(scope, id);
  const cancelled = await scope.db.execution.updateMany({
    where: { id: owned.id, status: { in: ["QUEUED", "RETRYING"] } },
    data: { status: "CANCELLED", errorClass: "CANCELLED", finishedAt: new Date(), nextAttemptAt: null, customerMessage: "The run was cancelled." },
  });
  if (cancelled.count === 0) {
    const now = await scope.db.execution.findUniqueOrThrow({ where: { id: owned.id }, select: { status: true } });
    throw new AppError("CONFLICT", `a ${now.status.toLowerCase()} run cannot be cancelled`, { status: now.status });
  }
  await recordAudit(scope, { action: "execution.cancelled", targetType: "execution", targetId: owned.id });
  const jobId = executionJobId(owned.id, owned.status === "RETRYING" ? owned.attempt : 0);
  await Promise.resolve()
    .then(() => (queue ?? getExecutionsQueue()).getJob(jobId))
    .then((job) => job?.remove())
    .catch(() => {}); // active or locked: the executor skips the CANCELLED row anyway
  return { id: owned.id, status: "CANCELLED" as const };
}
