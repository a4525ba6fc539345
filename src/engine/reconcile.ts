import type { Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import { enqueueExecution, executionJobId, type ExecutionsQueue } from "@/lib/queues";

// PostgreSQL is the ledger, Redis the delivery. A run can be committed without a live job:
// the `add` after the commit failed, Redis restarted empty, or a retry's delayed job was lost.
// The reconciler finds such runs and adds their job again. Adding is idempotent (a fixed job
// id per attempt; BullMQ ignores an id it already holds), so racing ingest or the executor is
// harmless, and the executor's claim makes a duplicate delivery a no-op.

export interface ReconcileDeps {
  db: Db;
  queue: ExecutionsQueue;
  logger: Logger;
}

export interface ReconcileOptions {
  /** Leave runs younger than this alone: their own add is probably still in flight. */
  graceMs?: number;
  /** Rows examined per pass. */
  limit?: number;
}

export async function reconcileOnce(deps: ReconcileDeps, opts: ReconcileOptions = {}): Promise<{ requeued: number }> {
  const cutoff = new Date(Date.now() - (opts.graceMs ?? 30_000));
  const rows = await deps.db.execution.findMany({
    where: {
      instance: { status: "ACTIVE" }, // paused instances hold their runs on purpose
      OR: [
        { status: "QUEUED", queuedAt: { lt: cutoff } },
        { status: "RETRYING", nextAttemptAt: { lt: cutoff } },
        { status: "RETRYING", nextAttemptAt: null, queuedAt: { lt: cutoff } },
      ],
    },
    select: { id: true, status: true, attempt: true },
    orderBy: { queuedAt: "asc" },
    take: opts.limit ?? 500,
  });

  let requeued = 0;
  for (const row of rows) {
    const attempt = row.status === "QUEUED" ? 0 : row.attempt;
    const jobId = executionJobId(row.id, attempt);
    const job = await deps.queue.getJob(jobId);
    // A waiting/delayed/active job will deliver it; completed/failed jobs are removed on finish,
    // so one still present in those states means a delivery is already under way elsewhere.
    if (job) continue;
    await enqueueExecution(deps.queue, row.id, { attempt });
    requeued++;
  }
  if (requeued > 0) deps.logger.info({ requeued }, "reconciler re-queued runs that had no job");
  return { requeued };
}

/** Runs reconcileOnce every `intervalMs`, never two passes at once. */
export function startReconciler(deps: ReconcileDeps, opts: ReconcileOptions & { intervalMs?: number } = {}): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = reconcileOnce(deps, opts)
      .catch((err: unknown) => deps.logger.warn({ err }, "reconcile pass failed; next pass retries"))
      .finally(() => {
        running = null;
      });
  }, opts.intervalMs ?? 15_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
