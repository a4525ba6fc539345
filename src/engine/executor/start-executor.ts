import { UnrecoverableError, WaitingError, Worker } from "bullmq";
import { hotPool, type Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import { createExecutionsQueue, ExecutionJobData, QUEUES, queuePrefix, type ExecutionsQueue } from "@/lib/queues";
import type { Redis } from "@/lib/redis";
import { createAddressPolicy } from "../http/address-policy";
import { createOutboundAgent, type OutboundAgentOptions } from "../http/outbound-agent";
import { createRateLimiter } from "../rate-limit/rate-limiter";
import { SandboxPool } from "../sandbox/sandbox-pool";
import { runExecution, type ExecutorDeps } from "./run-execution";
import { MaxAttemptsHints } from "./hot-claim";
import { RecordWriter } from "./record-writer";

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
  /** Integration code runs in worker threads (one per concurrent run) with this heap ceiling; `false`: in-process. */
  sandbox?: false | { memoryMb?: number };
  /** Timeouts and sockets per origin of the outbound pool (defaults in createOutboundAgent), and the response cap. */
  outbound?: Omit<OutboundAgentOptions, "policy"> & { maxResponseBytes?: number };
  /** Rate-limit waits up to this are slept through; longer ones re-queue the run (default 2 s). */
  rateLimitMaxWaitMs?: number;
  /** BullMQ job lock (default 30 s): a dead executor's jobs are handed back after it expires. */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs (default 30 s). */
  stalledIntervalMs?: number;
  /** Claim runs and write their records on a plain pg pool, group-committed across runs (default true; false: Prisma only). */
  fastPath?: boolean;
}

/**
 * BullMQ fails a job outright ("job stalled more than allowable limit") once it stalled more
 * than maxStalledCount times (default 1): a run whose executor is killed twice would then be
 * dropped from Redis with its row still RUNNING. Our ledger decides instead: stalled jobs are
 * always handed out again, and the claim in runExecution makes a re-delivery safe; a job that
 * is lost anyway (failed, Redis wiped) is recovered by the reconciler from the RUNNING row.
 */
const MAX_STALLED_COUNT = 1_000_000;

export interface RunningExecutor {
  worker: Worker<ExecutionJobData>;
  queue: ExecutionsQueue;
  deps: ExecutorDeps;
  /** Runs this executor is processing now (execution ids), for the drain log. */
  running(): string[];
  /**
   * Stops taking jobs at once (synchronously; call it first on SIGTERM): a job BullMQ still hands
   * over afterwards (fetched together with a finished job's completion) goes back to the queue unstarted.
   */
  stopTaking(): void;
  /** Stops taking jobs, lets running attempts finish, closes the queue and the outbound pool. */
  close(): Promise<void>;
}

export function startExecutor(o: StartExecutorOptions): RunningExecutor {
  const prefix = queuePrefix(o.prefix);
  const queue = createExecutionsQueue(o.redis, prefix);
  queue.on("error", (err) => o.logger.warn({ err: err.message }, "executions queue error"));
  const policy = createAddressPolicy(o.outboundAllowlist);
  const { maxResponseBytes, ...agentOptions } = o.outbound ?? {};
  const dispatcher = createOutboundAgent({ ...agentOptions, policy });
  const rateLimiter = createRateLimiter({
    redis: o.redis,
    prefix,
    logger: o.logger,
    ...(o.rateLimitMaxWaitMs !== undefined ? { maxWaitMs: o.rateLimitMaxWaitMs } : {}),
  });
  const sandbox = o.sandbox === false ? undefined : new SandboxPool({ size: o.concurrency, logger: o.logger, ...(o.sandbox ?? {}) });
  // Claims are one short statement each and records go out in batches: a pool well below the
  // concurrency keeps up, and leaves PostgreSQL's connections to the other executors.
  // Claims commit asynchronously (a claim lost in a PostgreSQL crash only means the run is
  // claimed again; the run's first step commit flushes it anyway); records commit durably, in
  // batches, so a few connections carry them.
  const claimPool = o.fastPath === false ? undefined : hotPool(o.db, Math.min(o.concurrency, 20) + 2, { asyncCommit: true });
  const recordPool = o.fastPath === false ? undefined : hotPool(o.db, 4);
  const deps: ExecutorDeps = {
    db: o.db,
    ...(claimPool && recordPool
      ? { hot: { pool: claimPool, writer: new RecordWriter(recordPool, o.logger), hints: new MaxAttemptsHints() } }
      : {}),
    queue,
    logger: o.logger,
    dispatcher,
    policy,
    rateLimiter,
    ...(maxResponseBytes !== undefined ? { maxResponseBytes } : {}),
    ...(o.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: o.retryBaseDelayMs } : {}),
    ...(o.runTimeoutMs !== undefined ? { runTimeoutMs: o.runTimeoutMs } : {}),
    ...(sandbox ? { sandbox } : {}),
  };

  let stopping = false;
  const running = new Set<string>();
  const worker = new Worker<ExecutionJobData>(
    QUEUES.executions.name,
    async (job, token) => {
      if (stopping && token) {
        // Draining: moveToCompleted fetches the next job in the same call, so BullMQ can still
        // hand one over after close(). Give it back unstarted; another executor takes it.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const data = ExecutionJobData.safeParse(job.data);
      if (!data.success) throw new UnrecoverableError(`bad job data: ${data.error.message}`);
      running.add(data.data.executionId);
      try {
        // attemptsStarted > 1: BullMQ hands this job out again after a stalled (crashed) or
        // failed processing, so the RUNNING row it left behind may be taken over.
        const { outcome } = await runExecution(deps, data.data.executionId, { redelivered: job.attemptsStarted > 1 });
        return { outcome };
      } finally {
        running.delete(data.data.executionId);
      }
    },
    {
      connection: o.redis,
      prefix,
      concurrency: o.concurrency,
      autorun: true,
      maxStalledCount: MAX_STALLED_COUNT,
      ...(o.lockDurationMs !== undefined ? { lockDuration: o.lockDurationMs } : {}),
      ...(o.stalledIntervalMs !== undefined ? { stalledInterval: o.stalledIntervalMs } : {}),
    },
  );
  worker.on("error", (err) => o.logger.error({ err }, "executor worker error"));
  worker.on("failed", (job, err) =>
    o.logger.warn({ err, runId: job?.data.executionId, attemptsMade: job?.attemptsMade }, "execution job failed (infrastructure); BullMQ will retry it"),
  );

  let workerClosed: Promise<void> | undefined;
  const stopTaking = () => {
    stopping = true;
    if (workerClosed) return;
    workerClosed = worker.close();
    workerClosed.catch(() => {}); // surfaces in close(); not an unhandled rejection before that
  };
  return {
    worker,
    queue,
    deps,
    running: () => [...running],
    stopTaking,
    async close() {
      stopTaking();
      await workerClosed;
      await queue.close();
      await dispatcher.close();
      await sandbox?.close();
    },
  };
}
