// The executor process: runs queued executions, and re-queues runs whose job went missing.
import { parseAllowlist } from "@/engine/http/address-policy";
import { startExecutor } from "@/engine/executor/start-executor";
import { startReconciler } from "@/engine/reconcile";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { createLogger } from "@/lib/logger";
import { createRedis } from "@/lib/redis";

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
  });
  // Every executor runs one; passes are idempotent, so several at once only cost queries.
  const reconciler = startReconciler({ db, queue: executor.queue, logger }, { intervalMs: 15_000 });
  logger.info({ concurrency: env.EXECUTOR_CONCURRENCY }, "executor started");

  let closing = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, async () => {
      if (closing) return;
      closing = true;
      logger.info({ signal }, "draining");
      await reconciler.stop();
      // Running attempts get a grace period to finish; past it we leave, and BullMQ hands their
      // jobs to another executor (stalled-job recovery), which resumes after the last stored step.
      const grace = new Promise((resolve) => setTimeout(resolve, 30_000).unref());
      await Promise.race([executor.close(), grace]);
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
