import { UnrecoverableError, Worker } from "bullmq";
import { z } from "zod";
import type { Logger } from "@/lib/logger";
import { createRolloutsQueue, QUEUES, queuePrefix, type RolloutJobData, type RolloutsQueue } from "@/lib/queues";
import type { Redis } from "@/lib/redis";

// The executor process's consumer of the "rollouts" queue. The work itself (planning a step's
// instances, upgrading them in batches, progress on the Rollout row) is the upgrade service's,
// handed in as `run`, because it re-validates configs with the server's upgrade code.
// One job per rollout (jobId = rollout id), one rollout at a time per process: a rollout's steps
// never run side by side, and its batches do not crowd out the runs this process executes.

export interface StartRolloutWorkerOptions {
  /** A worker-role connection (BullMQ blocks on it). */
  redis: Redis;
  prefix?: string;
  logger: Logger;
  /**
   * Works on the rollout's current step until it is finished (resumes where it stopped;
   * idempotent). It should return between batches once `stopping()` is true: the executor is
   * shutting down, and the rollout check queues the unfinished step again for another executor.
   */
  run: (rolloutId: string, control: { stopping: () => boolean }) => Promise<unknown>;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

const JobData = z.object({ rolloutId: z.string().min(1) });

export interface RunningRolloutWorker {
  worker: Worker<RolloutJobData>;
  queue: RolloutsQueue;
  close(): Promise<void>;
}

export function startRolloutWorker(o: StartRolloutWorkerOptions): RunningRolloutWorker {
  const prefix = queuePrefix(o.prefix);
  let stopping = false;
  const queue = createRolloutsQueue(o.redis, prefix);
  queue.on("error", (err) => o.logger.warn({ err: err.message }, "rollouts queue error"));
  const worker = new Worker<RolloutJobData>(
    QUEUES.rollouts.name,
    async (job) => {
      const data = JobData.safeParse(job.data);
      if (!data.success) throw new UnrecoverableError(`bad job data: ${data.error.message}`);
      return o.run(data.data.rolloutId, { stopping: () => stopping });
    },
    {
      connection: o.redis,
      prefix,
      concurrency: 1,
      // A stalled job (its executor died) is always handed out again: the step resumes from its
      // PENDING targets, so a re-delivery is safe; a job dropped anyway is re-queued by the checker.
      maxStalledCount: 1_000_000,
      ...(o.lockDurationMs !== undefined ? { lockDuration: o.lockDurationMs } : {}),
      ...(o.stalledIntervalMs !== undefined ? { stalledInterval: o.stalledIntervalMs } : {}),
    },
  );
  worker.on("error", (err) => o.logger.error({ err }, "rollouts worker error"));
  worker.on("failed", (job, err) => o.logger.warn({ err, rolloutId: job?.data.rolloutId, attemptsMade: job?.attemptsMade }, "rollout job failed; BullMQ retries it"));
  return {
    worker,
    queue,
    async close() {
      stopping = true;
      await worker.close();
      await queue.close();
    },
  };
}
