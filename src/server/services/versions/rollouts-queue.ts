import { env } from "@/lib/env";
import { createRolloutsQueue, type RolloutsQueue } from "@/lib/queues";
import { getProducerRedis } from "../../producer-redis";

// The web process's producer of rollout jobs (one per process, on the fail-fast producer
// connection). Tests route it to their own Redis prefix, or to nothing, with useRolloutsQueueForTests.

const g = globalThis as unknown as { porticoRolloutsQueue?: RolloutsQueue; porticoRolloutsQueueOverride?: { queue: RolloutsQueue | undefined } };

export function getRolloutsQueue(): RolloutsQueue | undefined {
  if (g.porticoRolloutsQueueOverride) return g.porticoRolloutsQueueOverride.queue;
  if (!g.porticoRolloutsQueue) {
    const queue = createRolloutsQueue(getProducerRedis(), env.REDIS_PREFIX);
    queue.on("error", () => {}); // a Redis outage delays the step until the executor's rollout checker queues it
    g.porticoRolloutsQueue = queue;
  }
  return g.porticoRolloutsQueue;
}

/** Tests: `queue` (or undefined: queue nothing, the test runs the steps itself); `false` restores the default. */
export function useRolloutsQueueForTests(queue: RolloutsQueue | undefined | false) {
  g.porticoRolloutsQueueOverride = queue === false ? undefined : { queue };
}
