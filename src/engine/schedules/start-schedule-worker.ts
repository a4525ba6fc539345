import { Worker } from "bullmq";
import type { Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import { QUEUES, queuePrefix, type ExecutionsQueue } from "@/lib/queues";
import type { Redis } from "@/lib/redis";
import { runScheduleTick } from "./run-schedule-tick";
import type { ScheduleTickData } from "./schedule-ticks-queue";

// Turns fired schedule ticks into SCHEDULE runs. Any number of these may run (one per executor
// process): BullMQ hands each tick job to one of them, and the tick's idempotency key makes a
// re-delivered tick harmless.

export function startScheduleWorker(o: {
  db: Db;
  /** A worker-role connection. */
  redis: Redis;
  queue: ExecutionsQueue;
  logger: Logger;
  prefix?: string;
}): { worker: Worker<ScheduleTickData>; close(): Promise<void> } {
  const worker = new Worker<ScheduleTickData>(
    QUEUES.scheduleTicks.name,
    async (job) => {
      const data = QUEUES.scheduleTicks.jobs.tick.data.parse(job.data);
      // prevMillis is the tick's own due time (the same for every delivery of this tick).
      const tickAt = new Date(job.opts.prevMillis ?? job.timestamp + (job.opts.delay ?? 0));
      const { outcome } = await runScheduleTick({ db: o.db, queue: o.queue, logger: o.logger }, { ...data, tickAt });
      return { outcome };
    },
    { connection: o.redis, prefix: queuePrefix(o.prefix), concurrency: 4, autorun: true },
  );
  worker.on("error", (err) => o.logger.error({ err }, "schedule worker error"));
  return { worker, close: () => worker.close() };
}
