// The web process: the ingest front (webhooks, on bare node:http) in front of Next.
import next from "next";
import { createFrontServer } from "@/engine/ingest/http-front";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { createLogger } from "@/lib/logger";
import { createExecutionsQueue } from "@/lib/queues";
import { createRedis } from "@/lib/redis";

async function main() {
  const logger = createLogger("web", env.LOG_LEVEL);
  const db = getDb();
  const redis = createRedis(env.REDIS_URL, "producer");
  redis.on("error", (err) => logger.warn({ err: err.message }, "redis connection error"));
  const queue = createExecutionsQueue(redis, env.REDIS_PREFIX);
  queue.on("error", (err) => logger.warn({ err: err.message }, "queue error"));

  const app = next({ dev: false, dir: process.cwd() });
  await app.prepare();
  const handle = app.getRequestHandler();

  const server = createFrontServer({
    deps: { db, queue, logger, maxBytes: env.WEBHOOK_MAX_BYTES },
    nextHandler: (req, res) => handle(req, res),
  });
  server.listen(env.PORT, () => logger.info({ port: env.PORT }, "web listening"));

  let closing = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, async () => {
      if (closing) return;
      closing = true;
      logger.info({ signal }, "closing");
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      // Stop accepting; requests in flight (their rows are committed or not) finish first.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await Promise.allSettled([queue.close(), app.close(), db.$disconnect()]);
      redis.disconnect();
      process.exit(0);
    });
  }
}

main().catch((err) => {
  console.error("web failed to start:", err);
  process.exit(1);
});
