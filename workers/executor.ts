// The executor process: runs queued executions, and re-queues runs whose job went missing.
import { parseAllowlist } from "@/engine/http/address-policy";
import { startExecutor } from "@/engine/executor/start-executor";
import { startReconciler } from "@/engine/reconcile";
import { startRetention } from "@/engine/retention/start-retention";
import { startRolloutChecker } from "@/engine/rollouts/check-rollouts";
import { startRolloutWorker } from "@/engine/rollouts/start-rollout-worker";
import { startScheduling } from "@/engine/schedules/start-scheduling";
import { executorPoolSize, getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { createLogger } from "@/lib/logger";
import { createRedis } from "@/lib/redis";
import { runRollout } from "@/server/services/versions/run-rollout";

async function main() {
  const logger = createLogger("executor", env.LOG_LEVEL);
  // One connection per run in flight plus headroom (records, reconciler, schedules): a pool
  // smaller than the concurrency made runs time out waiting for a connection under load.
  const db = getDb({ max: executorPoolSize(env.EXECUTOR_CONCURRENCY) });
  const redis = createRedis(env.REDIS_URL, "worker");
  redis.on("error", (err) => logger.warn({ err: err.message }, "redis connection error"));

  const executor = startExecutor({
    db,
    redis,
    prefix: env.REDIS_PREFIX,
    logger,
    concurrency: env.EXECUTOR_CONCURRENCY,
    outboundAllowlist: parseAllowlist(env.OUTBOUND_ALLOWLIST),
    lockDurationMs: env.EXECUTOR_LOCK_MS,
    stalledIntervalMs: env.EXECUTOR_STALLED_INTERVAL_MS,
    sandbox: { memoryMb: env.EXECUTOR_MEMORY_MB },
  });
  // Every executor runs one; passes are idempotent, so several at once only cost queries.
  // A RUNNING row is only recovered once it has had no live job for longer than the job lock.
  const reconciler = startReconciler(
    { db, queue: executor.queue, logger },
    { intervalMs: env.RECONCILE_INTERVAL_MS, graceMs: env.RECONCILE_GRACE_MS, staleRunningMs: env.EXECUTOR_LOCK_MS },
  );
  // Bulk upgrades (rollout steps) in batches; the step's work is the upgrade service's (it re-validates configs).
  const rolloutWorker = startRolloutWorker({ redis, prefix: env.REDIS_PREFIX, logger, run: (id, { stopping }) => runRollout(db, id, { logger, shouldStop: stopping }), lockDurationMs: env.EXECUTOR_LOCK_MS });
  // Canary rollouts whose slice fails clearly more than the old version are rolled back (canary-rule.ts),
  // and rollout steps whose job went missing are queued again.
  const rollouts = startRolloutChecker({ db, logger, queue: rolloutWorker.queue }, { intervalMs: 30_000 });
  // Schedule ticks → SCHEDULE runs, and every ACTIVE instance's schedules re-registered periodically,
  // and within one reconcile period once Redis has lost them (emptied).
  const scheduling = startScheduling({ db, redis, queue: executor.queue, logger, prefix: env.REDIS_PREFIX, checkMs: env.RECONCILE_INTERVAL_MS });
  // Finished runs past their organization's retention are deleted hourly (one job scheduler per deployment).
  const retention = startRetention({ db, redis, logger, prefix: env.REDIS_PREFIX });
  logger.info({ concurrency: env.EXECUTOR_CONCURRENCY }, "executor started");

  let closing = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, async () => {
      if (closing) return;
      closing = true;
      // Stop taking jobs first, before any await (also before the log line): a run finishing while
      // the other loops stop would otherwise fetch the next job. `running` are the runs in hand now.
      executor.stopTaking();
      const rolloutsClosed = rolloutWorker.close();
      rolloutsClosed.catch(() => {}); // reported by `draining` below; not an unhandled rejection meanwhile
      logger.info({ signal, running: executor.running() }, "draining");
      // Running attempts get a grace period (from the signal) to finish; past it we leave, and BullMQ hands their
      // jobs to another executor (stalled-job recovery), which resumes after the last stored step.
      const grace = new Promise<false>((resolve) => setTimeout(() => resolve(false), env.EXECUTOR_SHUTDOWN_GRACE_MS).unref());
      // The loops that add jobs stop before the executions queue is closed (executor.close()).
      const draining = Promise.allSettled([reconciler.stop(), rollouts.stop(), scheduling.close(), retention.close()])
        .then(() => Promise.all([executor.close(), rolloutsClosed]))
        .then(
          () => true,
          (err: unknown) => (logger.error({ err }, "drain failed"), false),
        );
      const drained = await Promise.race([draining, grace]);
      logger.info({ drained }, drained ? "drained; exiting" : "grace period over; exiting, running attempts are handed back");
      await db.$disconnect();
      redis.disconnect();
      process.exit(0);
    });
  }
}

main().catch((err) => {
  console.error("executor failed to start:", err);
  process.exit(1);
});
