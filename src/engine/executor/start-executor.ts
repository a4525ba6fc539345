import { UnrecoverableError, Worker } from "bullmq";
import type { Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import { createExecutionsQueue, ExecutionJobData, QUEUES, queuePrefix, type ExecutionsQueue } from "@/lib/queues";
import type { Redis } from "@/lib/redis";
import { createAddressPolicy } from "../http/address-policy";
import { createOutboundAgent } from "../http/outbound-agent";
import { runExecution, type ExecutorDeps } from "./run-execution";

export interface StartExecutorOptions {
  db: Db;
  /** A worker-role connection (createRedis(url, "worker")): BullMQ blocks on it. */
  redis: Redis;
  /** BullMQ prefix (env.REDIS_PREFIX; tests pass their own). */
  prefix?: string;
  logger: Logger;
  concurrency: number;
  /** Hosts/IPs that may be private although the SSRF policy blocks private targets. */
  outboundAllowlist: readonly string[];
  retryBaseDelayMs?: number;
  runTimeoutMs?: number;
}

export interface RunningExecutor {
  worker: Worker<ExecutionJobData>;
  queue: ExecutionsQueue;
  deps: ExecutorDeps;
  /** Stops taking jobs, lets running attempts finish, closes the queue and the outbound pool. */
  close(): Promise<void>;
}

export function startExecutor(o: StartExecutorOptions): RunningExecutor {
  const prefix = queuePrefix(o.prefix);
  const queue = createExecutionsQueue(o.redis, prefix);
  queue.on("error", (err) => o.logger.warn({ err: err.message }, "executions queue error"));
  const policy = createAddressPolicy(o.outboundAllowlist);
  const dispatcher = createOutboundAgent({ policy });
  const deps: ExecutorDeps = {
    db: o.db,
    queue,
    logger: o.logger,
    dispatcher,
    policy,
    ...(o.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: o.retryBaseDelayMs } : {}),
    ...(o.runTimeoutMs !== undefined ? { runTimeoutMs: o.runTimeoutMs } : {}),
  };

  const worker = new Worker<ExecutionJobData>(
    QUEUES.executions.name,
    async (job) => {
      const data = ExecutionJobData.safeParse(job.data);
      if (!data.success) throw new UnrecoverableError(`bad job data: ${data.error.message}`);
      // attemptsStarted > 1: BullMQ hands this job out again after a stalled (crashed) or
      // failed processing, so the RUNNING row it left behind may be taken over.
      const { outcome } = await runExecution(deps, data.data.executionId, { redelivered: job.attemptsStarted > 1 });
      return { outcome };
    },
    { connection: o.redis, prefix, concurrency: o.concurrency, autorun: true },
  );
  worker.on("error", (err) => o.logger.error({ err }, "executor worker error"));
  worker.on("failed", (job, err) =>
    o.logger.warn({ err, runId: job?.data.executionId, attemptsMade: job?.attemptsMade }, "execution job failed (infrastructure); BullMQ will retry it"),
  );

  return {
    worker,
    queue,
    deps,
    async close() {
      await worker.close();
      await queue.close();
      await dispatcher.close();
    },
  };
}
