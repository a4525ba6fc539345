import type { Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import { enqueueExecution, executionJobId, type ExecutionsQueue } from "@/lib/queues";
import { BREAKER_ALERT, DEFAULT_BREAKER, PROBE_SOURCE, scheduleProbe } from "./breaker/breaker";

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
//
// Breaker probes need their own pass: the instance is NEEDS_ATTENTION, so the first pass skips
// its runs on purpose, yet its half-open probe must still run. A probe whose cool-down has passed
// and that has no live job (its delayed job lost with Redis) is queued again; an instance whose
// breaker is open with no pending probe at all (the executor died between tripping and recording
// the probe) gets one, replaying its last failed run. Without this the instance would wait for a
// human forever.

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
  const probes = await rescueLostProbes(deps, opts);
  return { requeued: requeued + recovered + probes };
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

async function rescueLostProbes(deps: ReconcileDeps, opts: ReconcileOptions): Promise<number> {
  const now = Date.now();
  const graceMs = opts.graceMs ?? 30_000;
  const open = await deps.db.alertEvent.findMany({
    where: { kind: BREAKER_ALERT, resolvedAt: null, instanceId: { not: null } },
    select: { instanceId: true, data: true },
    orderBy: { createdAt: "desc" },
    take: opts.limit ?? 500,
  });
  let rescued = 0;
  const done = new Set<string>();
  for (const alert of open) {
    const instanceId = alert.instanceId!;
    if (done.has(instanceId)) continue;
    done.add(instanceId);
    const instance = await deps.db.instance.findUnique({ where: { id: instanceId }, select: { status: true, deletedAt: true } });
    if (instance?.status !== "NEEDS_ATTENTION" || instance.deletedAt) continue;
    const raw = (alert.data as { coolDownMs?: unknown } | null)?.coolDownMs;
    const coolDownMs = typeof raw === "number" && raw >= 0 ? raw : DEFAULT_BREAKER.coolDownMs;

    const probe = await deps.db.execution.findFirst({
      where: { instanceId, triggerSource: PROBE_SOURCE, status: { in: ["QUEUED", "RETRYING", "RUNNING"] } },
      select: { id: true, status: true, attempt: true, queuedAt: true, nextAttemptAt: true },
      orderBy: { queuedAt: "desc" },
    });
    if (probe) {
      if (probe.status === "RUNNING") continue; // someone runs it (or the RUNNING pass recovers it)
      const dueAt = probe.status === "RETRYING" && probe.nextAttemptAt ? probe.nextAttemptAt.getTime() : probe.queuedAt.getTime() + coolDownMs;
      if (dueAt > now - graceMs) continue; // not due yet: its delayed job will deliver it
      const attempt = probe.status === "QUEUED" ? 0 : probe.attempt;
      if (await liveJob(deps.queue, executionJobId(probe.id, attempt))) continue;
      await enqueueExecution(deps.queue, probe.id, { attempt });
      rescued++;
      continue;
    }
    // No pending probe: replay the instance's last failed run (one probe per failed run, so a
    // probe already made for it — cancelled by someone, say — is not made again).
    const lastFailed = await deps.db.execution.findFirst({
      where: { instanceId, status: "FAILED" },
      select: { id: true, finishedAt: true, queuedAt: true },
      orderBy: [{ finishedAt: { sort: "desc", nulls: "last" } }, { queuedAt: "desc" }],
    });
    if (!lastFailed || (lastFailed.finishedAt ?? lastFailed.queuedAt).getTime() + coolDownMs > now - graceMs) continue;
    const before = await deps.db.execution.count({ where: { instanceId, triggerSource: PROBE_SOURCE } });
    await scheduleProbe(deps, lastFailed.id, 0);
    if ((await deps.db.execution.count({ where: { instanceId, triggerSource: PROBE_SOURCE } })) > before) rescued++;
  }
  if (rescued > 0) deps.logger.warn({ rescued }, "reconciler queued breaker probes that had no job");
  return rescued;
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
