import { Queue, type ConnectionOptions, type JobsOptions } from "bullmq";
import { z } from "zod";
import { env } from "./env";

// The one catalog of BullMQ queues: names, job names, job data and default options together.
// Job data holds ids only — payloads and secrets live in PostgreSQL (the ledger); Redis is
// only the delivery, so a wiped Redis loses nothing the reconciler cannot re-queue.

export const ExecutionJobData = z.object({ executionId: z.string().min(1) });
export type ExecutionJobData = z.infer<typeof ExecutionJobData>;

export const QUEUES = {
  executions: {
    name: "executions",
    jobs: { run: { name: "run-execution", data: ExecutionJobData } },
    defaultJobOptions: {
      // Run retries (error classes, backoff) are the engine's and add a new job per attempt.
      // These BullMQ attempts only cover infrastructure failures of the processor itself
      // (e.g. PostgreSQL unreachable while claiming the run).
      attempts: 5,
      backoff: { type: "exponential", delay: 2_000 },
      // Removed when done: PostgreSQL keeps the history, and a removed job id can be re-added
      // by the reconciler if its run is somehow still pending.
      removeOnComplete: true,
      removeOnFail: true,
    },
  },
  // Cron ticks of scheduled flows (BullMQ job schedulers, one per instance × flow; see
  // src/engine/schedules). A tick only records a SCHEDULE run, idempotent per tick.
  scheduleTicks: {
    name: "schedule-ticks",
    jobs: { tick: { name: "schedule-tick", data: z.object({ instanceId: z.string().min(1), flowKey: z.string().min(1) }) } },
    defaultJobOptions: { attempts: 5, backoff: { type: "exponential", delay: 1_000 }, removeOnComplete: true, removeOnFail: 1_000 },
  },
  // Bulk upgrades (canary rollout steps), in batches by the executor process; one job per
  // rollout at a time (jobId = rollout id). Progress lives on the Rollout row (src/engine/rollouts).
  rollouts: {
    name: "rollouts",
    jobs: { run: { name: "run-rollout", data: z.object({ rolloutId: z.string().min(1) }) } },
    defaultJobOptions: { attempts: 8, backoff: { type: "exponential", delay: 2_000 }, removeOnComplete: true, removeOnFail: true },
  },
  // Housekeeping on one BullMQ job scheduler per deployment (src/engine/retention): every
  // executor upserts the same scheduler id, so the cleanup runs once per period, not per worker.
  maintenance: {
    name: "maintenance",
    jobs: { retention: { name: "retention-cleanup", data: z.object({}) } },
    defaultJobOptions: { attempts: 3, backoff: { type: "exponential", delay: 5_000 }, removeOnComplete: 100, removeOnFail: 100 },
  },
} as const satisfies Record<string, { name: string; jobs: Record<string, { name: string; data: z.ZodType }>; defaultJobOptions: JobsOptions }>;

export type QueueKey = keyof typeof QUEUES;
export type ExecutionsQueue = Queue<ExecutionJobData, unknown, string>;

/** The BullMQ key prefix: every Portico queue lives under it (tests pass their own). */
export function queuePrefix(prefix?: string): string {
  return prefix ?? env.REDIS_PREFIX;
}

export function createExecutionsQueue(connection: ConnectionOptions, prefix?: string): ExecutionsQueue {
  return new Queue<ExecutionJobData, unknown, string>(QUEUES.executions.name, {
    connection,
    prefix: queuePrefix(prefix),
    defaultJobOptions: QUEUES.executions.defaultJobOptions,
  });
}

/**
 * The BullMQ job id of an execution's attempt. The first delivery uses the execution id itself
 * (so ingest and the reconciler add the same job, and BullMQ ignores the second add); each
 * retry needs its own id because the job that schedules it is still active at that moment.
 * BullMQ forbids ":" in custom ids.
 */
export function executionJobId(executionId: string, attempt = 0): string {
  return attempt <= 0 ? executionId : `${executionId}-a${attempt + 1}`;
}

/** Adds the job that runs the next attempt of an execution (`attempt` = attempts already made). */
export async function enqueueExecution(
  queue: ExecutionsQueue,
  executionId: string,
  opts: { attempt?: number; delayMs?: number } = {},
): Promise<void> {
  const data: ExecutionJobData = { executionId };
  await queue.add(QUEUES.executions.jobs.run.name, data, {
    jobId: executionJobId(executionId, opts.attempt ?? 0),
    ...(opts.delayMs && opts.delayMs > 0 ? { delay: Math.round(opts.delayMs) } : {}),
  });
}

export type RolloutJobData = { rolloutId: string };
export type RolloutsQueue = Queue<RolloutJobData, unknown, string>;

export function createRolloutsQueue(connection: ConnectionOptions, prefix?: string): RolloutsQueue {
  return new Queue<RolloutJobData, unknown, string>(QUEUES.rollouts.name, {
    connection,
    prefix: queuePrefix(prefix),
    defaultJobOptions: QUEUES.rollouts.defaultJobOptions,
  });
}

/** Asks for a rollout's pending step to be worked on; a no-op while its job is already queued or running. */
export async function enqueueRollout(queue: RolloutsQueue, rolloutId: string): Promise<void> {
  await queue.add(QUEUES.rollouts.jobs.run.name, { rolloutId }, { jobId: rolloutId });
}
