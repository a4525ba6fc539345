import { env } from "@/lib/env";
import { createExecutionsQueue, type ExecutionsQueue } from "@/lib/queues";
import { createRedis, type Redis } from "@/lib/redis";

const globalForRedis = globalThis as unknown as { porticoProducerRedis?: Redis };

/**
 * The web process's one fail-fast Redis connection (see createRedis): kept on globalThis so Next
 * dev reloads do not open a new one per edit.
 */
export function getProducerRedis(): Redis {
  globalForRedis.porticoProducerRedis ??= createRedis(env.REDIS_URL, "producer");
  return globalForRedis.porticoProducerRedis;
}

const globalForQueue = globalThis as unknown as { porticoProducerQueue?: ExecutionsQueue };

/** The executions queue on the producer connection: resuming an instance queues its held runs at once. */
export function getProducerQueue(): ExecutionsQueue {
  if (!globalForQueue.porticoProducerQueue) {
    const queue = createExecutionsQueue(getProducerRedis(), env.REDIS_PREFIX);
    queue.on("error", () => {}); // a Redis outage is the reconciler's to repair; requests must not crash on it
    globalForQueue.porticoProducerQueue = queue;
  }
  return globalForQueue.porticoProducerQueue;
}
