// The ingest front alone, as its own process, for the reliability tests: workers/web.ts also
// boots Next (which needs a production build); these tests only need POST /api/hooks/{token}.
// Reads DATABASE_URL, REDIS_URL, REDIS_PREFIX and LOG_LEVEL, listens on a free port and prints
// "FRONT_LISTENING <port>" once it accepts connections.
import { createFrontServer } from "@/engine/ingest/http-front";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { createLogger } from "@/lib/logger";
import { createExecutionsQueue } from "@/lib/queues";
import { createRedis } from "@/lib/redis";

const logger = createLogger("front", env.LOG_LEVEL);
const db = getDb();
const redis = createRedis(env.REDIS_URL, "producer");
redis.on("error", (err) => logger.warn({ err: err.message }, "redis connection error"));
const queue = createExecutionsQueue(redis, env.REDIS_PREFIX);
queue.on("error", (err) => logger.warn({ err: err.message }, "queue error"));

const server = createFrontServer({
  deps: { db, queue, logger, maxBytes: env.WEBHOOK_MAX_BYTES, enqueueTimeoutMs: 1_000 },
  nextHandler: (_req, res) => {
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
  },
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`FRONT_LISTENING ${typeof address === "object" && address ? address.port : 0}\n`);
});

process.once("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => {
    void Promise.allSettled([queue.close(), db.$disconnect()]).then(() => {
      redis.disconnect();
      process.exit(0);
    });
  });
});
