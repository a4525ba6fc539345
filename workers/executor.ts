// The executor process: runs queued executions, and re-queues runs whose job went missing.
import { parseAllowlist } from "@/engine/http/address-policy";
import { startExecutor } from "@/engine/executor/start-executor";
import { startReconciler } from "@/engine/reconcile";
import { startRolloutChecker } from "@/engine/rollouts/check-rollouts";
import { startScheduling } from "@/engine/schedules/start-scheduling";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { createLogger } from "@/lib/logger";
import { createRedis } from "@/lib/redis";
import { haltRolloutFor } from "@/server/services/versions/halt-rollout";

async function main() {
  const logger = createLogger("executor", env.LOG_LEVEL);
  const db = getDb();
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
  });
  // Every executor runs one; passes are idempotent, so several at once only cost queries.
  // A RUNNING row is only recovered once it has had no live job for longer than the job lock.
  const reconciler = startReconciler(
    { db, queue: executor.queue, logger },
    { intervalMs: env.RECONCILE_INTERVAL_MS, graceMs: env.RECONCILE_GRACE_MS, staleRunningMs: env.EXECUTOR_LOCK_MS },
  );
  // Canary rollouts whose slice fails clearly more than the old version are rolled back (canary-rule.ts).
  const rollouts = startRolloutChecker({ db, logger, halt: haltRolloutFor(db) }, { intervalMs: 30_000 });
  // Schedule ticks → SCHEDULE runs, and every ACTIVE instance's schedules re-registered periodically.
  const scheduling = startScheduling({ db, redis, queue: executor.queue, logger, prefix: env.REDIS_PREFIX });
  logger.info({ concurrency: env.EXECUTOR_CONCURRENCY }, "executor started");

  let closing = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, async () => {
      if (closing) return;
      closing = true;
      logger.info({ signal }, "draining");
      await reconciler.stop();
      await rollouts.stop();
      await scheduling.close();
      // Running attempts get a grace period to finish; past it we leave, and BullMQ hands their
      // jobs to another executor (stalled-job recovery), which resumes after the last stored step.
      const grace = new Promise<false>((resolve) => setTimeout(() => resolve(false), env.EXECUTOR_SHUTDOWN_GRACE_MS).unref());
      const drained = await Promise.race([executor.close().then(() => true), grace]);
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
