import type { Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import { QUEUES, type ExecutionsQueue } from "@/lib/queues";
import type { RunRecords } from "../executor/run-records";

/**
 * Puts a run that must wait long for a rate limit back on the queue, delayed, giving back the
 * attempt it had claimed: the row returns to RETRYING with its previous attempt number (the
 * ledger; the reconciler re-queues it should the delayed job be lost), and a delayed job of its
 * own id is added (the job that ran this attempt is still active, so its id is taken).
 */
export async function deferRun(
  deps: { db: Db; queue: ExecutionsQueue; logger: Logger },
  records: RunRecords,
  run: { id: string; claimedAttempt: number; previousAttempt: number; customerMessage: string },
  delayMs: number,
): Promise<void> {
  const nextAttemptAt = new Date(Date.now() + delayMs);
  await records.commitWith([
    deps.db.execution.updateMany({
      where: { id: run.id, status: "RUNNING", attempt: run.claimedAttempt },
      data: { status: "RETRYING", attempt: run.previousAttempt, nextAttemptAt, customerMessage: run.customerMessage },
    }),
  ]);
  try {
    await deps.queue.add(
      QUEUES.executions.jobs.run.name,
      { executionId: run.id },
      { jobId: `${run.id}-d${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`, delay: Math.max(1, delayMs) },
    );
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message }, "could not queue the deferred run; left for the reconciler");
  }
  deps.logger.debug({ delayMs }, "run deferred by a rate limit");
}
