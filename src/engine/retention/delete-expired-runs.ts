import type { Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";

// Retention: finished runs older than their organization's `retentionDays` are deleted, with
// their steps, logs and HTTP exchanges (those rows cascade from Execution in the schema; a
// replay of a deleted run keeps existing, its replayOfId set to null). Pending runs (QUEUED,
// RETRYING, RUNNING) are never touched, whatever their age: they are still owed a result.
// Deletes go in small batches so a large backlog never holds long locks or one huge transaction.

export const FINISHED_STATUSES = ["SUCCEEDED", "FAILED", "CANCELLED"] as const;
export const DEFAULT_RETENTION_DAYS = 30;
const DAY_MS = 24 * 60 * 60_000;

export interface DeleteExpiredRunsOptions {
  now?: Date;
  /** Runs deleted per statement. */
  batchSize?: number;
  /** Stop after this many batches per organization; the next pass continues. */
  maxBatchesPerOrg?: number;
  logger?: Logger;
}

/** Deletes one organization's expired runs, batch by batch. Returns how many runs went. */
export async function deleteExpiredRunsOf(db: Db, org: { id: string; retentionDays: number }, o: DeleteExpiredRunsOptions = {}): Promise<number> {
  const cutoff = new Date((o.now ?? new Date()).getTime() - org.retentionDays * DAY_MS);
  const batchSize = o.batchSize ?? 500;
  const maxBatches = o.maxBatchesPerOrg ?? 200;
  const expired = {
    organizationId: org.id,
    status: { in: [...FINISHED_STATUSES] },
    // A finished run without finishedAt (older rows) ages from when it was queued.
    OR: [{ finishedAt: { lt: cutoff } }, { finishedAt: null, queuedAt: { lt: cutoff } }],
  };
  let deleted = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const ids = await db.execution.findMany({ where: expired, select: { id: true }, take: batchSize });
    if (ids.length === 0) break;
    // The status condition again: a run that changed state since the select is left alone.
    const res = await db.execution.deleteMany({ where: { ...expired, id: { in: ids.map((r) => r.id) } } });
    deleted += res.count;
    if (ids.length < batchSize) break;
  }
  return deleted;
}

/** One cleanup pass over every organization. */
export async function deleteExpiredRuns(db: Db, o: DeleteExpiredRunsOptions = {}): Promise<{ deleted: number; organizations: number }> {
  const orgs = await db.organization.findMany({ select: { id: true, retentionDays: true }, orderBy: { id: "asc" } });
  let deleted = 0;
  let organizations = 0;
  for (const org of orgs) {
    const n = await deleteExpiredRunsOf(db, org, o);
    if (n > 0) organizations++;
    deleted += n;
  }
  if (deleted > 0) o.logger?.info({ deleted, organizations }, "retention: deleted finished runs past their organization's retention");
  return { deleted, organizations };
}
