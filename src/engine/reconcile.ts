import type { Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import { enqueueExecution, executionJobId, type ExecutionsQueue } from "@/lib/queues";

// PostgreSQL is the ledger, Redis the delivery. A run can be committed without a live job:
// the `add` after the commit failed, Redis restarted empty, or a retry's delayed job was lost.
// The reconciler finds such runs and adds their job again. Adding is idempotent (a fixed job
// id per attempt; BullMQ ignores an id it already holds), so racing ingest or the executor is
// harmless, and the executor's claim makes a duplicate delivery a no-op.
//
// RUNNING rows need the same care: BullMQ normally hands a dead executor's job to another one
// (stalled-job recovery), but the job can still vanish — failed after its infrastructure retries,
// or Redis restarted empty — leaving a row RUNNING forever. A RUNNING row whose every job id is
// gone, seen so on passes at least `staleRunningMs` apart (the job lock: a live executor keeps
// its job, so "no job for a whole lock period" means nobody holds the run), is handed back:
// RUNNING → RETRYING (conditional on the attempt we saw, so a run that moved on is left alone)
// and queued again. Its completed steps are memoized, so it resumes after the last one.

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
  /**
   * A RUNNING row with no live job is recovered once it has been seen so for this long
   * (set it to the executors' job lock duration). 0 = at first sight (tests). Default 30 s.
   */
  staleRunningMs?: number;
}

/** RUNNING rows seen without a live job: id → the attempt seen and since when (ms). */
export type OrphanSightings = Map<string, { attempt: number; since: number }>;

export async function reconcileOnce(
  deps: ReconcileDeps,
  opts: ReconcileOptions = {},
  sightings: OrphanSightings = new Map(),
): Promise<{ requeued: number }> {
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
  const recovered = await recoverOrphanedRunning(deps, opts, sightings);
  return { requeued: requeued + recovered };
}

/** A job that will still deliver (waiting, delayed, active); removed-on-finish jobs are gone. */
async function liveJob(queue: ExecutionsQueue, jobId: string): Promise<boolean> {
  const job = await queue.getJob(jobId);
  return !!job && !job.finishedOn;
}

async function recoverOrphanedRunning(deps: ReconcileDeps, opts: ReconcileOptions, sightings: OrphanSightings): Promise<number> {
  const staleMs = opts.staleRunningMs ?? 30_000;
  const rows = await deps.db.execution.findMany({
    where: { status: "RUNNING" },
    select: { id: true, attempt: true },
    orderBy: { queuedAt: "asc" },
    take: opts.limit ?? 500,
  });
  const now = Date.now();
  const seen = new Set<string>();
  let recovered = 0;
  for (const row of rows) {
    seen.add(row.id);
    // Attempt N was delivered by the job of attempt N-1, or — after BullMQ re-delivered a stalled
    // job, which counts a new attempt on the row — by an earlier attempt's job: check them all.
    let live = false;
    for (let k = 0; k <= row.attempt && !live; k++) live = await liveJob(deps.queue, executionJobId(row.id, k));
    const sighting = sightings.get(row.id);
    if (live) {
      sightings.delete(row.id);
      continue;
    }
    if (!sighting || sighting.attempt !== row.attempt) {
      sightings.set(row.id, { attempt: row.attempt, since: now });
      if (staleMs > 0) continue;
    } else if (now - sighting.since < staleMs) continue;

    const handedBack = await deps.db.execution.updateMany({
      where: { id: row.id, status: "RUNNING", attempt: row.attempt },
      data: { status: "RETRYING", nextAttemptAt: null },
    });
    sightings.delete(row.id);
    if (handedBack.count === 0) continue; // it moved on meanwhile: someone holds it
    const jobId = executionJobId(row.id, row.attempt);
    // A finished job kept under that id would make the add a no-op.
    await (await deps.queue.getJob(jobId))?.remove().catch(() => {});
    await enqueueExecution(deps.queue, row.id, { attempt: row.attempt });
    recovered++;
  }
  for (const id of sightings.keys()) if (!seen.has(id)) sightings.delete(id);
  if (recovered > 0) deps.logger.warn({ recovered }, "reconciler handed back RUNNING runs whose job was lost");
  return recovered;
}

/** Runs reconcileOnce every `intervalMs`, never two passes at once. */
export function startReconciler(deps: ReconcileDeps, opts: ReconcileOptions & { intervalMs?: number } = {}): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const sightings: OrphanSightings = new Map();
  const timer = setInterval(() => {
    if (running) return;
    running = reconcileOnce(deps, opts, sightings)
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
