import type { Db } from "@/lib/db";
import { enqueueExecution, type ExecutionsQueue } from "@/lib/queues";

/**
 * Queues again the runs a paused instance held (runExecution leaves them QUEUED/RETRYING and
 * drops the job). Without a queue (or if Redis refuses) the reconciler picks them up on its
 * next pass, so this only makes a resume prompt; it never decides whether the runs happen.
 */
export async function requeueHeldRuns(db: Db, instanceIds: string[], queue: ExecutionsQueue | undefined): Promise<number> {
  if (!queue || instanceIds.length === 0) return 0;
  const rows = await db.execution.findMany({
    where: { instanceId: { in: instanceIds }, status: { in: ["QUEUED", "RETRYING"] } },
    select: { id: true, status: true, attempt: true },
    orderBy: { queuedAt: "asc" },
    take: 5_000,
  });
  let queued = 0;
  for (const row of rows) {
    try {
      // A RETRYING run's job id carries its attempt; re-adding an id BullMQ still holds is a no-op.
      await enqueueExecution(queue, row.id, { attempt: row.status === "QUEUED" ? 0 : row.attempt });
      queued++;
    } catch {
      return queued; // Redis is unwell: the reconciler takes over
    }
  }
  return queued;
}
