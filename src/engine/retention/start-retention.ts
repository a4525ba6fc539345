import { Queue, Worker } from "bullmq";
import type { Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import { QUEUES, queuePrefix } from "@/lib/queues";
import type { Redis } from "@/lib/redis";
import { deleteExpiredRuns, type DeleteExpiredRunsOptions } from "./delete-expired-runs";

// The cleanup job runs on a BullMQ job scheduler with a fixed id: every executor upserts the
// same scheduler at start (idempotent), so a deployment has exactly one, however many workers
// it runs, and BullMQ hands each firing to one worker. Survives a Redis wipe: the next executor
// start (or restart) upserts it again.

export const RETENTION_SCHEDULER_ID = "retention-cleanup";
export const DEFAULT_RETENTION_EVERY_MS = 60 * 60_000;

export type MaintenanceQueue = Queue<Record<string, never>, unknown, string>;

export function createMaintenanceQueue(connection: Redis, prefix?: string): MaintenanceQueue {
  return new Queue<Record<string, never>, unknown, string>(QUEUES.maintenance.name, {
    connection,
    prefix: queuePrefix(prefix),
    defaultJobOptions: QUEUES.maintenance.defaultJobOptions,
  });
}

/** Registers (or updates) the deployment's one cleanup scheduler. */
export async function upsertRetentionScheduler(queue: MaintenanceQueue, everyMs = DEFAULT_RETENTION_EVERY_MS): Promise<void> {
  await queue.upsertJobScheduler(
    RETENTION_SCHEDULER_ID,
    { every: everyMs },
    { name: QUEUES.maintenance.jobs.retention.name, data: {}, opts: QUEUES.maintenance.defaultJobOptions },
  );
}

export interface StartRetentionOptions {
  db: Db;
  /** A worker-role connection. */
  redis: Redis;
  logger: Logger;
  prefix?: string;
  everyMs?: number;
  cleanup?: Omit<DeleteExpiredRunsOptions, "logger">;
}

export function startRetention(o: StartRetentionOptions): { queue: MaintenanceQueue; worker: Worker; close(): Promise<void> } {
  const queue = createMaintenanceQueue(o.redis, o.prefix);
  queue.on("error", (err) => o.logger.warn({ err: err.message }, "maintenance queue error"));
  upsertRetentionScheduler(queue, o.everyMs).catch((err: unknown) =>
    o.logger.warn({ err }, "retention: could not register the cleanup scheduler; the next executor start retries"),
  );
  const worker = new Worker(
    QUEUES.maintenance.name,
    async (job) => {
      if (job.name !== QUEUES.maintenance.jobs.retention.name) return { skipped: job.name };
      return deleteExpiredRuns(o.db, { ...o.cleanup, logger: o.logger });
    },
    { connection: o.redis, prefix: queuePrefix(o.prefix), concurrency: 1, autorun: true },
  );
  worker.on("error", (err) => o.logger.error({ err }, "maintenance worker error"));
  worker.on("failed", (job, err) => o.logger.warn({ err, jobName: job?.name }, "retention cleanup failed; it runs again next period"));
  return {
    queue,
    worker,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
