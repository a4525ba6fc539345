import { Queue, Worker } from "bullmq";
import type { Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import { QUEUES, queuePrefix } from "@/lib/queues";
import type { Redis } from "@/lib/redis";
import { deleteExpiredRuns, type DeleteExpiredRunsOptions } from "./delete-expired-runs";

// The cleanup job runs on a BullMQ job scheduler with a fixed id: every executor upserts the
// same scheduler at start (idempotent), so a deployment has exactly one, however many workers
// it runs, and BullMQ hands each firing to one worker. Survives a Redis wipe: every executor
// checks each `checkMs` that the scheduler is still there and registers it again if not (only
// when missing: re-upserting a present one is left alone so its next firing is not moved).

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
  /** How often to check that the scheduler survived (e.g. a Redis wipe). Default 60 s. */
  checkMs?: number;
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
  const check = setInterval(() => {
    void queue
      .getJobScheduler(RETENTION_SCHEDULER_ID)
      .then(async (present) => {
        if (present) return;
        await upsertRetentionScheduler(queue, o.everyMs);
        o.logger.warn("retention: the cleanup scheduler was gone from Redis; registered it again");
      })
      .catch((err: unknown) => o.logger.warn({ err }, "retention: could not check the cleanup scheduler; trying again later"));
  }, o.checkMs ?? 60_000);
  check.unref();
  worker.on("failed", (job, err) => o.logger.warn({ err, jobName: job?.name }, "retention cleanup failed; it runs again next period"));
  return {
    queue,
    worker,
    async close() {
      clearInterval(check);
      await worker.close();
      await queue.close();
    },
  };
}
